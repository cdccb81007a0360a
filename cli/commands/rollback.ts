import { statSync } from "node:fs";
import { join } from "node:path";
import { configFileName, findProjectRoot } from "../../config/find.js";
import { DevenvError, filesystemError, isErrno } from "../../errors.js";
import { readLimited } from "../../files/read-limited.js";
import { generations, readGeneration } from "../../lock/history.js";
import { lockPath, lockRefusal, maxLockBytes, parseLock, type LockedTool, type LockFile } from "../../lock/lockfile.js";
import { lockDifferences, type LockDifference } from "../../lock/stale.js";
import { writeLockText } from "../../lock/write.js";
import { pruneHistory } from "../../project/generations.js";
import { configIfTrusted } from "../../project/open.js";
import { withProjectLock } from "../../project/project-lock.js";
import type { Context } from "../context.js";

/**
 * Restores a previous generation of devenv.lock (default: the newest that
 * differs from it); the lock it replaces becomes a generation itself, so
 * nothing is ever lost. `--keep N` removes all but the newest N instead.
 * Only locks are read, and devenv.ts only if it is trusted: no other project
 * code runs.
 */
export async function rollbackCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  if (args.keep !== undefined) {
    if (args.generation !== undefined) throw new DevenvError("usage", "rollback --keep removes generations; it restores none", { hint: "run `devenv rollback N` and `devenv rollback --keep N` apart" });
    const keep = generationsToKeep(args.keep, "--keep");
    for (const g of await pruneHistory(ctx.layout, root, keep, false)) process.stdout.write(`removed generation ${g.number} (${g.tools})\n`);
    const left = generations(root).map((g) => g.number);
    ctx.log.info(left.length === 0 ? "no generations left" : `kept generation${left.length === 1 ? "" : "s"} ${left.join(", ")}`);
    if (args.list !== true) return;
  }
  const restored = await withProjectLock(ctx.layout, root, () => rollback(ctx, root, args));
  if (restored !== undefined) await checkAgainstConfig(ctx, root, restored.number, restored.lock);
}

/** `--keep N`, `--keep-generations N`: a whole number, 0 or more (yargs makes anything else NaN). */
export function generationsToKeep(value: unknown, flag: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new DevenvError("usage", `${flag} takes how many generations to keep: a whole number, 0 or more`, { hint: `e.g. ${flag} 5 keeps the newest five` });
}

async function rollback(ctx: Context, root: string, args: Record<string, unknown>): Promise<{ number: number; lock: LockFile } | undefined> {
  const all = generations(root);
  const current = readCurrent(root);
  if (args.list === true) {
    // A generation's date is when it stopped being current: when the lock after it was written.
    const rows = [
      ...all.map((g) => ({ generation: g.number as number | "current", until: statSync(g.file).mtime.toISOString(), lock: parseLock(readGeneration(g), g.file) })),
      ...(current === undefined ? [] : [{ generation: "current" as const, until: null, lock: parseLock(current, lockPath(root)) }]),
    ];
    if (args.json === true) {
      const tools = (lock: LockFile) => Object.fromEntries(Object.entries(lock.tools).map(([name, tool]) => [name, { spec: tool.spec, version: tool.version }]));
      process.stdout.write(`${JSON.stringify(rows.map((row) => ({ generation: row.generation, until: row.until, tools: tools(row.lock) })), null, 2)}\n`);
      return undefined;
    }
    for (const row of rows) process.stdout.write(`${String(row.generation).padEnd(8)}${(row.until === null ? "now" : row.until.slice(0, 16).replace("T", " ")).padEnd(18)}${listed(row.lock)}\n`);
    return undefined;
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
  return { number: target.number, lock };
}

/**
 * `run`, `lock` and the rest re-lock a lock that does not match devenv.ts
 * (SPEC §3): a rolled-back lock whose specs differ lasts only until then.
 * Says so, tool by tool, with what to set in devenv.ts to keep it.
 */
async function checkAgainstConfig(ctx: Context, root: string, number: number, lock: LockFile): Promise<void> {
  const generation = `generation ${number}`;
  let differences: LockDifference[];
  try {
    const config = await configIfTrusted(ctx, root, join(root, configFileName));
    if (config === undefined) {
      ctx.log.warn(`could not check devenv.ts against ${generation}: it is not trusted (after \`devenv trust\`, \`devenv lock --frozen\` lists any difference)`);
      return;
    }
    differences = lockDifferences(config, lock);
  } catch (error) {
    // The rollback is done: a devenv.ts that does not load (or a disk error) is only why nothing was checked.
    const known = error instanceof DevenvError ? error : filesystemError(error);
    if (known === undefined) throw error;
    ctx.log.warn(`could not check devenv.ts against ${generation}: ${known.message}`);
    return;
  }
  if (differences.length === 0) return;
  for (const { tool, wanted, locked } of differences) {
    if (locked === undefined) {
      ctx.log.warn(`devenv.ts asks for ${tool} ${asked(wanted!)} but ${generation} has no ${tool}: the next run would lock it; remove tools.${tool} from devenv.ts to keep this generation`);
      continue;
    }
    const keep = `set tools.${tool} to ${literal(locked)} in devenv.ts to keep this generation`;
    if (wanted === undefined) ctx.log.warn(`${generation} locked ${tool} ${asked(locked)} (${locked.version}) but devenv.ts has no ${tool}: the next run would drop it; ${keep}`);
    else ctx.log.warn(`devenv.ts asks for ${tool} ${asked(wanted)} but ${generation} locked ${tool} ${asked(locked)} (${locked.version}): the next run would re-lock it; ${keep}`);
  }
  ctx.log.info(`lock, install, run, shell and env follow devenv.ts: change it as above, or restore the devenv.ts that went with ${generation}`);
}

function asked({ spec, variant }: { spec: string; variant?: string | undefined }): string {
  return variant === undefined ? JSON.stringify(spec) : `${JSON.stringify(spec)} (${variant} build)`;
}

/** How devenv.ts says what a locked entry was locked from. */
function literal({ spec, variant }: LockedTool): string {
  return variant === undefined ? JSON.stringify(spec) : `{ version: ${JSON.stringify(spec)}, variant: ${JSON.stringify(variant)} }`;
}

function readCurrent(root: string): string | undefined {
  try {
    return readLimited(lockPath(root), maxLockBytes, lockRefusal).toString("utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

/** Each tool's version and the spec it was locked for: `node 20.99.1 ("20")`. */
function listed(lock: LockFile): string {
  return Object.entries(lock.tools).map(([name, tool]) => `${name} ${tool.version} (${JSON.stringify(tool.spec)})`).join(", ") || "(no tools)";
}

function summary(lock: LockFile): string {
  return Object.entries(lock.tools).map(([name, tool]) => `${name} ${tool.version}`).join(", ") || "(no tools)";
}
