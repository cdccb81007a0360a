import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { ensureStateDir } from "../project/state.js";
import { lockPath, serializeLock, type LockFile } from "./lockfile.js";

/**
 * Replaces devenv.lock atomically. The lock it replaces is first kept as the
 * next numbered generation in .devenv/history/, so it can be rolled back to.
 * Returns false (and writes nothing) when the bytes would not change.
 */
export function writeLock(root: string, lock: LockFile, previousText: string | undefined): boolean {
  const text = serializeLock(lock);
  if (text === previousText) return false;
  if (previousText !== undefined) {
    const { history } = ensureStateDir(root);
    mkdirSync(history, { recursive: true });
    writeFileAtomic(join(history, `${nextGeneration(history)}.lock`), previousText);
  }
  writeFileAtomic(lockPath(root), text);
  return true;
}

function nextGeneration(history: string): number {
  const numbers = readdirSync(history).map((name) => /^(\d+)\.lock$/.exec(name)?.[1]).filter((n) => n !== undefined).map(Number);
  return Math.max(0, ...numbers) + 1;
}
