import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import lockfile from "lockfile";
import { removeTree } from "../files/tree.js";
import { generations, readGeneration } from "../lock/history.js";
import { lockPath, parseLock, readLock, type LockFile } from "../lock/lockfile.js";
import type { Platform } from "../resolvers/types.js";
import { entryName, type StoreLayout } from "./layout.js";
import { dropRoot, listRoots } from "./roots.js";

export interface Collected {
  /** Store entries removed (or, dry, that would be), with their size. */
  readonly entries: Array<{ name: string; bytes: number }>;
  /** Projects whose root was dropped because the project or its lock is gone. */
  readonly roots: string[];
  /** Temporary trees left by killed installs. */
  readonly temps: string[];
}

/**
 * Removes what no live project needs: entries referenced by no root's lock or
 * lock generation (so rollback keeps working), roots of vanished projects,
 * leftovers of killed installs. An entry is only touched with its install
 * lock held, and never if it was finished after gc started: a concurrent
 * install registers its root and writes its lock before it installs.
 */
export async function collectGarbage(layout: StoreLayout, platform: Platform, dryRun: boolean): Promise<Collected> {
  const started = Date.now();
  const live = new Set<string>();
  const roots: string[] = [];
  for (const root of listRoots(layout)) {
    const current = existsSync(lockPath(root.project)) ? readLock(root.project) : undefined;
    if (current === undefined) {
      roots.push(root.project);
      if (!dryRun) dropRoot(root);
      continue;
    }
    const locks: LockFile[] = [current.lock, ...generations(root.project).flatMap((g) => parsedOrNone(readGeneration(g), g.file))];
    for (const lock of locks) {
      for (const [tool, locked] of Object.entries(lock.tools)) {
        const artifact = locked.platforms[platform];
        if (artifact) live.add(entryName(tool, locked.version, artifact.sha256));
      }
    }
  }

  const entries: Collected["entries"] = [];
  for (const name of listDir(layout.store)) {
    const path = join(layout.store, name);
    if (live.has(name) || statSync(path).ctimeMs >= started) continue;
    const removed = await withEntryLock(layout, name, async () => {
      const bytes = treeSize(path);
      if (!dryRun) await removeTree(path);
      return bytes;
    });
    if (removed !== undefined) entries.push({ name, bytes: removed });
  }

  const temps: string[] = [];
  for (const name of listDir(layout.tmp)) {
    const entry = name.slice(0, name.lastIndexOf("."));
    const removed = await withEntryLock(layout, entry, async () => (dryRun ? true : (await removeTree(join(layout.tmp, name)), true)));
    if (removed) temps.push(name);
  }
  return { entries, roots, temps };
}

/** Runs `work` holding the entry's install lock; undefined if another process holds it now. */
async function withEntryLock<T>(layout: StoreLayout, name: string, work: () => Promise<T>): Promise<T | undefined> {
  const path = join(layout.locks, `${name}.lock`);
  const acquired = await new Promise<boolean>((resolve) => lockfile.lock(path, { stale: 20_000 }, (error) => resolve(!error)));
  if (!acquired) return undefined;
  try {
    return await work();
  } finally {
    await new Promise<void>((resolve) => lockfile.unlock(path, () => resolve()));
  }
}

/** A generation that no longer parses protects nothing; the current lock must parse (readLock throws). */
function parsedOrNone(text: string, file: string): LockFile[] {
  try {
    return [parseLock(text, file)];
  } catch {
    return [];
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function treeSize(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + treeSize(join(path, name)), stat.size);
}
