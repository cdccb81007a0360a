import { installLocked } from "../../project/install.js";
import { openProject } from "../../project/open.js";
import { logChanges, syncLock } from "../../project/sync.js";
import type { Context } from "../context.js";

export async function installCommand(ctx: Context): Promise<void> {
  const project = await openProject(ctx.cwd);
  const { lock, changes } = await syncLock(project, ctx);
  logChanges(ctx, changes);
  await installLocked(project.root, lock, ctx, project.config.tools.map((t) => t.name));
}
