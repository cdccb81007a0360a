import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { readLimited } from "../files/read-limited.js";
import { lockRefusal, maxLockBytes } from "./lockfile.js";
import { stateLayout } from "../layout.js";
import { ensureStateDir, existingStateDir } from "./state.js";

/** Numbered generations of devenv.lock in .devenv/history/, oldest first: each is a lock that was once current. */
export interface Generation {
  readonly number: number;
  readonly file: string;
}

export function generations(root: string): Generation[] {
  const { history } = stateLayout(root);
  let names: string[];
  try {
    names = readdirSync(history);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ number: Number(/^(\d+)\.lock$/.exec(name)?.[1]), file: join(history, name) }))
    .filter((g) => Number.isInteger(g.number) && g.number > 0)
    .sort((a, b) => a.number - b.number);
}

export function readGeneration(generation: Generation): string {
  return readLimited(generation.file, maxLockBytes, lockRefusal).toString("utf8");
}

/**
 * Keeps `text` as the next generation, unless the newest generation already
 * holds exactly these bytes (a lock restored from version control and
 * replaced again, say): identical consecutive generations say nothing.
 * Returns whether it recorded one.
 */
export function recordGeneration(root: string, text: string): boolean {
  const { history, tmp } = ensureStateDir(root);
  const newest = generations(root).at(-1);
  if (newest !== undefined && readGeneration(newest) === text) return false;
  writeFileAtomic(join(history, `${(newest?.number ?? 0) + 1}.lock`), text, 0o600, { tempDir: tmp });
  return true;
}

/**
 * Removes all but the newest `keep` generations (`dryRun`: only says which),
 * oldest first. The rest keep their numbers: users refer to them by number.
 * Only files directly in a real .devenv/history/ are removed (state.ts).
 */
export function pruneGenerations(root: string, keep: number, dryRun = false): Generation[] {
  if (existingStateDir(root) === undefined) return [];
  const all = generations(root);
  const doomed = all.slice(0, Math.max(0, all.length - keep));
  if (dryRun) return doomed;
  // rmSync removes a symbolic link itself, never what it points at.
  for (const generation of doomed) rmSync(generation.file, { force: true });
  return doomed;
}
