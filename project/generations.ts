import { existsSync } from "node:fs";
import { DevenvError, filesystemError } from "../errors.js";
import { pruneGenerations, readGeneration, type Generation } from "../lock/history.js";
import { lockPath, parseLock } from "../lock/lockfile.js";
import type { StoreLayout } from "../layout.js";
import { listRoots } from "../store/roots.js";
import { withProjectLock } from "./project-lock.js";

/** A generation removed (or, dry, that would be), with the tools it locked. */
export interface PrunedGeneration extends Generation {
  readonly tools: string;
}

/**
 * Removes all but the newest `keep` lock generations of the project at
 * `root` (`dryRun`: only says which), holding its lock, so no rollback or
 * re-lock records one meanwhile. The rest keep their numbers.
 */
export async function pruneHistory(layout: StoreLayout, root: string, keep: number, dryRun: boolean): Promise<PrunedGeneration[]> {
  return withProjectLock(layout, root, async () => {
    const doomed = pruneGenerations(root, keep, true).map((g) => ({ ...g, tools: toolsOf(g) }));
    if (!dryRun) pruneGenerations(root, keep);
    return doomed;
  });
}

/**
 * pruneHistory for every registered project whose lock is still there (gc
 * drops the others' roots). A project whose history cannot be pruned (its
 * .devenv/ a symbolic link, say) is reported, and does not stop the others.
 */
export async function pruneRegisteredHistories(layout: StoreLayout, keep: number, dryRun: boolean) {
  const pruned: Array<{ project: string; generations: PrunedGeneration[] }> = [];
  const failed: Array<{ project: string; reason: string }> = [];
  for (const { project } of listRoots(layout)) {
    if (!existsSync(lockPath(project))) continue;
    try {
      const generations = await pruneHistory(layout, project, keep, dryRun);
      if (generations.length > 0) pruned.push({ project, generations });
    } catch (error) {
      const known = error instanceof DevenvError ? error : filesystemError(error);
      if (known === undefined) throw error;
      failed.push({ project, reason: known.message });
    }
  }
  return { pruned, failed };
}

/** What a generation locked, `node 20.18.0, go 1.22.9`; one that does not parse is only "unreadable". */
export function toolsOf(generation: Generation): string {
  try {
    return Object.entries(parseLock(readGeneration(generation), generation.file).tools).map(([name, tool]) => `${name} ${tool.version}`).join(", ") || "(no tools)";
  } catch {
    return "unreadable";
  }
}
