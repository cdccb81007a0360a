import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { registerRoot } from "../../store/roots.js";
import { pruneRegisteredHistories } from "../../project/generations.js";
import { referencedEntries } from "../../project/referenced.js";
import { collectGarbage } from "../../store/gc.js";
import type { Context } from "../context.js";
import { generationsToKeep } from "./rollback.js";

export async function gcCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const dryRun = args.dryRun === true;
  const keep = args.keepGenerations === undefined ? undefined : generationsToKeep(args.keepGenerations, "--keep-generations");
  // The project gc runs in is live, even if it moved since it last installed (its root names the old path).
  const here = projectAround(ctx.cwd);
  if (here !== undefined) registerRoot(ctx.layout, here);
  const verb = dryRun ? "would remove" : "removed";
  // Generations first, so that what only the pruned ones pinned is swept with the rest.
  const pruned = new Set<string>();
  if (keep !== undefined) {
    const { pruned: projects, failed } = await pruneRegisteredHistories(ctx.layout, keep, dryRun);
    for (const { project, reason } of failed) ctx.log.warn(`${project}: ${reason}; its generations were kept`);
    for (const { project, generations } of projects) {
      for (const g of generations) {
        process.stdout.write(`${verb} generation ${g.number} of ${project} (${g.tools})\n`);
        pruned.add(g.file);
      }
    }
  }
  const { entries, roots, temps, unreadable } = await collectGarbage(ctx.layout, referencedEntries(ctx.layout, ctx.platform, pruned), dryRun);
  for (const { project, reason } of unreadable) ctx.log.warn(`${project}: ${reason}; only its lock generations kept toolchains`);
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
