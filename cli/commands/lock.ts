import { DevenvError } from "../../errors.js";
import { openProject } from "../../project/open.js";
import { syncLock } from "../../project/sync.js";
import type { ToolName } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

export async function lockCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const project = await openProject(ctx.cwd);
  const refresh = (args.tools as string[] | undefined) ?? [];
  for (const name of refresh) {
    if (!project.config.tools.some((t) => t.name === name)) {
      throw new DevenvError("usage", `${name} is not a tool of ${project.configFile}`, { hint: `tools there: ${project.config.tools.map((t) => t.name).join(", ") || "none"}` });
    }
  }
  await syncLock(project, ctx, { refresh: refresh as ToolName[] });
}
