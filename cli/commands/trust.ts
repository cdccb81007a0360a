import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
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
    // The launcher's environment, the evaluated config and the prefixes came from running the file: they go too.
    // A service's data (a database) is the user's, and what `up -d` runs is stopped by `down`: both stay.
    const state = projectState(ctx.layout, root);
    const kept = new Set([state.services, state.processes.dir]);
    let names: string[] = [];
    try {
      names = readdirSync(state.dir);
    } catch {
      // no state
    }
    for (const name of names) if (!kept.has(join(state.dir, name))) await removeTree(join(state.dir, name));
    ctx.log.info(`${configFile} is no longer trusted`);
    if (existsSync(state.services)) ctx.log.info(`its services' data stays in ${state.services}; remove it yourself if you no longer need it`);
    return;
  }
  trust({ dir: ctx.layout.trust }, configFile, (await configFingerprint(ctx, root, configFile)).fingerprint);
  ctx.log.info(`trusted ${configFile} and the files it imports as they are now; a change to any of them asks again`);
}
