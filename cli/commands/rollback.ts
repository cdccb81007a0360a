import { readFileSync } from "node:fs";
import { findProjectRoot } from "../../config/find.js";
import { DevenvError, isErrno } from "../../errors.js";
import { generations, readGeneration } from "../../lock/history.js";
import { lockPath, parseLock, type LockFile } from "../../lock/lockfile.js";
import { writeLockText } from "../../lock/write.js";
import { withProjectLock } from "../../project/project-lock.js";
import type { Context } from "../context.js";

/**
 * Restores a previous generation of devenv.lock (default: the newest that
 * differs from it); the lock it replaces becomes a generation itself, so
 * nothing is ever lost.
 * Only locks are read: no project code runs.
 */
export async function rollbackCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  await withProjectLock(ctx.layout, root, () => rollback(ctx, root, args));
}

async function rollback(ctx: Context, root: string, args: Record<string, unknown>): Promise<void> {
  const all = generations(root);
  const current = readCurrent(root);
  if (args.list === true) {
    for (const g of all) process.stdout.write(`${String(g.number).padEnd(8)}${summary(parseLock(readGeneration(g), g.file))}\n`);
    if (current !== undefined) process.stdout.write(`${"current".padEnd(8)}${summary(parseLock(current, lockPath(root)))}\n`);
    return;
  }
  const wanted = args.generation as number | undefined;
  // The previous lock is the newest generation that is not the lock as it is now (restored from version control, say).
  const target = wanted === undefined ? all.findLast((g) => readGeneration(g) !== current) : all.find((g) => g.number === wanted);
  if (target === undefined) {
    const problem = wanted !== undefined ? `no generation ${wanted}; there are ${all.map((g) => g.number).join(", ") || "none"}` : all.length === 0 ? "devenv.lock has no earlier generations" : "every generation of devenv.lock is the lock it holds now";
    throw new DevenvError("usage", problem, { hint: "see `devenv rollback --list`" });
  }
  const text = readGeneration(target);
  const lock = parseLock(text, target.file);
  writeLockText(root, text, current);
  ctx.log.info(`devenv.lock is generation ${target.number} again: ${summary(lock)}`);
}

function readCurrent(root: string): string | undefined {
  try {
    return readFileSync(lockPath(root), "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

function summary(lock: LockFile): string {
  return Object.entries(lock.tools).map(([name, tool]) => `${name} ${tool.version}`).join(", ") || "(no tools)";
}
