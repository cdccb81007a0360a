import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A file the launcher's environment depends on, as read for it. */
export interface WatchedFile {
  readonly path: string;
  readonly content: Buffer;
  /** Its mtime in ns, taken from the open file before its bytes were read. */
  readonly mtime: bigint;
  /** Whether no write after the read can have left that mtime as it was (see `settledAt`). */
  readonly settled: boolean;
}

/**
 * A filesystem stamps a write with its clock's last tick: a few ms on Linux, a
 * whole second (or two) where it keeps whole seconds. A file read within a tick
 * of its last write could be written again in that tick with its mtime
 * unchanged, so the launcher must compare its bytes: git's "racily clean" files
 * (Documentation/technical/racy-git.txt). Returns when a file written at `mtime`
 * (ns) has settled, on this machine's clock.
 */
function settledAt(mtime: bigint): bigint {
  return mtime + (mtime % 1_000_000_000n === 0n ? 3_000_000_000n : 50_000_000n);
}

/** How long devenv waits for a file it has just written itself (devenv.lock, or a devenv.ts `devenv add` edited) to settle. */
const settleWaitNs = 50_000_000n;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

function readOne(path: string): { content: Buffer; mtime: bigint } {
  const fd = openSync(path, "r");
  try {
    const mtime = fstatSync(fd, { bigint: true }).mtimeNs;
    return { content: readFileSync(fd), mtime };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads each file, checking it still holds what its sha256 says (undefined if
 * any does not: the environment is not these files'). A file written in the
 * last few ms, which would not be settled, is read again once it is.
 */
export function readWatched(files: ReadonlyArray<{ path: string; sha256: string }>): WatchedFile[] | undefined {
  for (let attempt = 0; ; attempt++) {
    const readAt = nowNs();
    const read = files.map(({ path, sha256 }) => {
      const { content, mtime } = readOne(path);
      return createHash("sha256").update(content).digest("hex") === sha256 ? { path, content, mtime, settled: settledAt(mtime) < readAt } : undefined;
    });
    if (read.some((file) => file === undefined)) return undefined;
    const waits = (read as WatchedFile[]).filter((file) => !file.settled).map((file) => settledAt(file.mtime) - readAt);
    const wait = waits.reduce((longest, ns) => (ns > longest ? ns : longest), 0n);
    if (attempt > 0 || waits.length === 0 || wait > settleWaitNs) return read as WatchedFile[];
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(wait / 1_000_000n) + 1);
  }
}

/** 10 µs: utimes takes seconds as a double, which keeps ~0.25 µs at today's dates, and libuv keeps µs. */
const stampMargin = 10_000n;
const seconds = (ns: bigint) => Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;

/**
 * `<name>.older` and `<name>.newer` in `dir`, timestamped just before and just
 * after a settled file's mtime: while the file's mtime lies between them (dash's
 * `-nt` and `-ot`), it has not been written since it was read.
 */
export function writeStamps(dir: string, name: string, file: WatchedFile): void {
  if (!file.settled) return;
  for (const [suffix, at] of [["older", file.mtime - stampMargin], ["newer", file.mtime + stampMargin]] as const) {
    const stamp = join(dir, `${name}.${suffix}`);
    writeFileSync(stamp, "", { mode: 0o600, flag: "wx" });
    utimesSync(stamp, seconds(at), seconds(at));
  }
}
