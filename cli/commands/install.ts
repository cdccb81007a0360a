import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import { installLocked } from "../../project/install.js";
import { isConfigTrusted, locateConfig, openProject } from "../../project/open.js";
import { logChanges, syncLock } from "../../project/sync.js";
import type { ToolName } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/**
 * Makes sure every locked toolchain is in the store. Installing from a lock
 * never needs project code: with devenv.ts not trusted, it installs exactly
 * what devenv.lock pins and says it did not check the lock against devenv.ts.
 */
export async function installCommand(ctx: Context): Promise<void> {
  const { root, configFile } = locateConfig(ctx.cwd);
  if (!(await isConfigTrusted(ctx, root, configFile))) {
    const current = readLock(root);
    if (current === undefined) throw new DevenvError("untrusted", `${configFile} is not trusted, and there is no devenv.lock to install from`, { hint: "read devenv.ts, then run `devenv trust`" });
    ctx.log.warn(`${configFile} is not trusted: installing what devenv.lock pins without evaluating it`);
    await installLocked(root, current.lock, ctx, Object.keys(current.lock.tools) as ToolName[]);
    return;
  }
  const project = await openProject(ctx);
  const { lock, changes } = await syncLock(project, ctx);
  logChanges(ctx, changes);
  await installLocked(project.root, lock, ctx, project.config.tools.map((t) => t.name));
}
