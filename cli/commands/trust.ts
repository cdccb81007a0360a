import { rmSync } from "node:fs";
import { join } from "node:path";
import { revokeTrust, trust } from "../../config/trust.js";
import { locateConfig } from "../../project/open.js";
import { stateLayout } from "../../project/state.js";
import type { Context } from "../context.js";

/** Trusts this project's devenv.ts as it is now (nothing is evaluated), or stops trusting it. */
export async function trustCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const { root, configFile, configText } = locateConfig(ctx.cwd);
  if (args.revoke === true) {
    revokeTrust({ dir: ctx.layout.trust }, configFile);
    // The launcher's cached environment came from evaluating the file: it goes too.
    rmSync(join(stateLayout(root).dir, "cache"), { recursive: true, force: true });
    ctx.log.info(`${configFile} is no longer trusted`);
    return;
  }
  trust({ dir: ctx.layout.trust }, configFile, configText);
  ctx.log.info(`trusted ${configFile} as it is now; a change asks again`);
}
