import { lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { listDir, removeTree } from "../files/tree.js";
import { acquireLock } from "../files/process-lock.js";
import type { StoreLayout } from "../layout.js";
import { dropRoot, type Root } from "./roots.js";

/** What the locks of every registered project pin, as project/referenced.ts finds it: gc reads no lock itself. */
export interface References {
  readonly entries: ReadonlyMap<string, unknown>;
  readonly deadRoots: readonly Root[];
  readonly unreadable: ReadonlyArray<{ root: Root; reason: string }>;
}

export interface Collected {
  /** Store entries removed (or, dry, that would be), with their size. */
  readonly entries: Array<{ name: string; bytes: number }>;
  /** Projects whose root was dropped because the project or its lock is gone. */
  readonly roots: string[];
  /** Temporary trees left by killed installs. */
  readonly temps: string[];
  /** Projects whose devenv.lock does not parse: only their lock generations protected anything. */
  readonly unreadable: Array<{ project: string; reason: string }>;
}

/**
 * Removes what no live project needs: entries referenced by no root's lock or
 * lock generation (so rollback keeps working), roots of vanished projects,
 * leftovers of killed installs. An entry is only touched with its install
 * lock held, and never if it was finished after gc started: a concurrent
 * install registers its root and writes its lock before it installs.
 */
export async function collectGarbage(layout: StoreLayout, references: References, dryRun: boolean): Promise<Collected> {
  const started = Date.now();
  const { entries: live, deadRoots, unreadable } = references;
  if (!dryRun) deadRoots.forEach(dropRoot);
  if (!dryRun) for (const path of layout.obsolete) await removeTree(path);

  const entries: Collected["entries"] = [];
  for (const name of listDir(layout.store)) {
    const path = join(layout.store, name);
    if (live.has(name) || statSync(path).ctimeMs >= started) continue;
    const removed = await withEntryLock(layout, name, async () => {
      const bytes = treeSize(path);
      if (!dryRun) {
        await removeTree(path);
        rmSync(join(layout.trees, name), { force: true });
        rmSync(join(layout.origins, name), { force: true });
      }
      return bytes;
    });
    if (removed !== undefined) entries.push({ name, bytes: removed });
  }

  const temps: string[] = [];
  for (const name of listDir(layout.tmp)) {
    // `<entry>.XXXXXX` (mkdtemp's tree) and `<entry>.XXXXXX.archive` (its download) belong to <entry>'s install lock.
    const entry = name.replace(/\.[^.]{6}(\.archive)?$/, "");
    const removed = await withEntryLock(layout, entry, async () => (dryRun ? true : (await removeTree(join(layout.tmp, name)), true)));
    if (removed) temps.push(name);
  }
  return { entries, roots: deadRoots.map((r) => r.project), temps, unreadable: unreadable.map(({ root, reason }) => ({ project: root.project, reason })) };
}

/** Runs `work` holding the entry's install lock; undefined if another process holds it now. */
async function withEntryLock<T>(layout: StoreLayout, name: string, work: () => Promise<T>): Promise<T | undefined> {
  // A CI cache may restore store/ alone: the locks' directory is then made here, as an install would.
  mkdirSync(layout.locks, { recursive: true });
  const release = await acquireLock(join(layout.locks, `${name}.lock`), { wait: false });
  if (release === undefined) return undefined;
  try {
    return await work();
  } finally {
    await release();
  }
}

function treeSize(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + treeSize(join(path, name)), stat.size);
}
