import { revokeTrust, trust } from "../../config/trust.js";
import { removeTree } from "../../files/tree.js";
import { configFingerprint, locateConfig } from "../../project/open.js";
import { projectState } from "../../layout.js";
import type { Context } from "../context.js";

/** Trusts this project's devenv.ts and what it imports as they are now (nothing is evaluated), or stops trusting it. */
export async function trustCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const { root, configFile } = locateConfig(ctx.cwd);
  if (args.revoke === true) {
    revokeTrust({ dir: ctx.layout.trust }, configFile);
    // The launcher's environment and the evaluated config came from running the file: they go too.
    await removeTree(projectState(ctx.layout, root).dir);
    ctx.log.info(`${configFile} is no longer trusted`);
    return;
  }
  trust({ dir: ctx.layout.trust }, configFile, (await configFingerprint(ctx, root, configFile)).fingerprint);
  ctx.log.info(`trusted ${configFile} and the files it imports as they are now; a change to any of them asks again`);
}
