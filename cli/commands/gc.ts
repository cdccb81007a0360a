import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { registerRoot } from "../../store/roots.js";
import { referencedEntries } from "../../project/referenced.js";
import { collectGarbage } from "../../store/gc.js";
import type { Context } from "../context.js";

export async function gcCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const dryRun = args.dryRun === true;
  // The project gc runs in is live, even if it moved since it last installed (its root names the old path).
  const here = projectAround(ctx.cwd);
  if (here !== undefined) registerRoot(ctx.layout, here);
  const { entries, roots, temps, unreadable } = await collectGarbage(ctx.layout, referencedEntries(ctx.layout, ctx.platform), dryRun);
  for (const { project, reason } of unreadable) ctx.log.warn(`${project}: ${reason}; only its lock generations kept toolchains`);
  const verb = dryRun ? "would remove" : "removed";
  for (const { name, bytes } of entries) process.stdout.write(`${verb} ${name} (${megabytes(bytes)})\n`);
  for (const project of roots) process.stdout.write(`${verb} root ${project} (project or lock gone)\n`);
  for (const name of temps) process.stdout.write(`${verb} leftover tmp/${name}\n`);
  const total = entries.reduce((sum, e) => sum + e.bytes, 0);
  process.stdout.write(`${dryRun ? "would free" : "freed"} ${megabytes(total)} in ${entries.length} ${entries.length === 1 ? "entry" : "entries"}\n`);
}

function projectAround(cwd: string): string | undefined {
  try {
    return findProjectRoot(cwd);
  } catch (error) {
    if (error instanceof DevenvError && error.code === "config-not-found") return undefined;
    throw error;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
