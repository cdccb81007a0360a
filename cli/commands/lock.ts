import { openProject } from "../../project/open.js";
import { logChanges, syncLock } from "../../project/sync.js";
import { toolsOfProject } from "../../project/tools-arg.js";
import type { Context } from "../context.js";

export async function lockCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const project = await openProject(ctx);
  const refresh = toolsOfProject(project, (args.tools as string[] | undefined) ?? []);
  logChanges(ctx, (await syncLock(project, ctx, { refresh })).changes);
}
