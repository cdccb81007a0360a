import { openProject } from "../../project/open.js";
import { syncLock } from "../../project/sync.js";
import { toolsOfProject } from "../../project/tools-arg.js";
import type { Context } from "../context.js";

/** Re-resolves specs to the newest matching versions; prints `tool old -> new` for each that moved. */
export async function updateCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const project = await openProject(ctx);
  const named = toolsOfProject(project, (args.tools as string[] | undefined) ?? []);
  const refresh = named.length > 0 ? named : project.config.tools.map((t) => t.name);
  const { changes } = await syncLock(project, ctx, { refresh });
  if (changes.length === 0) ctx.log.info("devenv.lock is up to date");
  for (const { tool, from, to } of changes) process.stdout.write(`${tool} ${from ?? "(none)"} -> ${to}\n`);
}
