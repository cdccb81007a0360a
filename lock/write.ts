import { sweepDeadTemps, writeFileAtomic } from "../files/atomic.js";
import { ensureStateDir } from "./state.js";
import { recordGeneration } from "./history.js";
import { lockPath, serializeLock, type LockFile } from "./lockfile.js";

/**
 * Replaces devenv.lock atomically; killed at any point, it leaves the old lock
 * or the new one. The lock it replaces is first kept as the next numbered
 * generation in .devenv/history/, so it can be rolled back to.
 * Returns false (and writes nothing) when the bytes would not change.
 */
export function writeLock(root: string, lock: LockFile, previousText: string | undefined): boolean {
  return writeLockText(root, serializeLock(lock), previousText);
}

export function writeLockText(root: string, text: string, previousText: string | undefined): boolean {
  if (text === previousText) return false;
  const { tmp } = ensureStateDir(root);
  sweepDeadTemps(tmp);
  if (previousText !== undefined) recordGeneration(root, previousText);
  writeFileAtomic(lockPath(root), text, 0o644, { tempDir: tmp });
  return true;
}
