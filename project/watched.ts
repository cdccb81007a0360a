import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A file the launcher's environment depends on, as read for it. */
export interface WatchedFile {
  readonly path: string;
  readonly content: Buffer;
  /** Its mtime in ns, taken from the open file before its bytes were read. */
  readonly mtime: bigint;
  /** Whether the launcher may take it as unchanged while its mtime stays (see `readWatched`). */
  readonly stampable: boolean;
}

const second = 1_000_000_000n;

/**
 * A filesystem stamps a write with its clock's last tick: a few ms on Linux, a
 * whole second (or two) where it keeps whole seconds. A file read within a tick
 * of its last write could be written again in that tick with its mtime
 * unchanged, so the launcher must compare its bytes: git's "racily clean" files
 * (Documentation/technical/racy-git.txt).
 */
const tickOf = (mtime: bigint) => (mtime % second === 0n ? 3n * second : 50_000_000n);

/**
 * An mtime that a write gave: its ctime (which no one can set) came with it.
 * One set by hand is no witness of the content: npm gives every file of every
 * package 1985-10-26, and `tar x`, `cp -p` and `rsync -t` put back what the
 * source had, so new bytes can come with the very mtime the old ones had.
 */
const written = (mtime: bigint, ctime: bigint) => ctime >= mtime && ctime - mtime <= 3n * second;

/**
 * Linux's network and user-space filesystems (statfs(2) magic numbers: NFS, SMB,
 * CIFS, SMB2, FUSE, 9p, Ceph, AFS): their timestamps come from another clock, and
 * a stat may answer from a cache an edit made elsewhere has not reached yet, where
 * `diff`, which opens the file, sees it.
 */
const remoteFilesystems = new Set([0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x65735546, 0x01021997, 0x00c36400, 0x5346414f, 0x6b414653]);

/** Stamps are for dash's nanosecond `-nt` (Debian's and Ubuntu's /bin/sh); elsewhere the launcher compares bytes. */
const onLocalLinuxDisk = (path: string) => process.platform === "linux" && !remoteFilesystems.has(statfsSync(path).type);

/**
 * When a file last written at `mtime` (with `ctime`), in ns, may be stamped, on
 * this machine's clock: once it has settled; never if its mtime was set, not written.
 */
export function stampableFrom(mtime: bigint, ctime: bigint): bigint | undefined {
  return written(mtime, ctime) ? mtime + tickOf(mtime) : undefined;
}

/** How long devenv waits for a file it has just written itself (devenv.lock, or a devenv.ts `devenv add` edited) to settle. */
const settleWait = 50_000_000n;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

function readOne(path: string): { content: Buffer; mtime: bigint; ctime: bigint } {
  const fd = openSync(path, "r");
  try {
    const { mtimeNs, ctimeNs } = fstatSync(fd, { bigint: true });
    return { content: readFileSync(fd), mtime: mtimeNs, ctime: ctimeNs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads each file, checking it still holds what its sha256 says (undefined if
 * any does not: the environment is not these files'). A file is stampable when
 * its mtime is one a write gave, on a local disk, and it had settled when it
 * was read; one written in the last few ms is read again once it has.
 */
export function readWatched(files: ReadonlyArray<{ path: string; sha256: string }>): WatchedFile[] | undefined {
  const local = new Map(files.map(({ path }) => [path, onLocalLinuxDisk(path)]));
  for (let attempt = 0; ; attempt++) {
    const readAt = nowNs();
    const read: WatchedFile[] = [];
    // How long until every file that is stampable but for its age will have settled.
    let wait = 0n;
    for (const { path, sha256 } of files) {
      const { content, mtime, ctime } = readOne(path);
      if (createHash("sha256").update(content).digest("hex") !== sha256) return undefined;
      const from = local.get(path)! ? stampableFrom(mtime, ctime) : undefined;
      if (from !== undefined && from >= readAt && from - readAt + 1n > wait) wait = from - readAt + 1n;
      read.push({ path, content, mtime, stampable: from !== undefined && from < readAt });
    }
    if (attempt > 0 || wait === 0n || wait > settleWait) return read;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(wait / 1_000_000n) + 1);
  }
}

/** 10 µs: utimes takes seconds as a double, which keeps ~0.25 µs at today's dates, and libuv keeps µs. */
const stampMargin = 10_000n;
const seconds = (ns: bigint) => Number(ns / second) + Number(ns % second) / 1e9;

/**
 * `<name>.older` and `<name>.newer` in `dir`, timestamped just before and just
 * after a stampable file's mtime: while the file's mtime lies between them
 * (dash's `-nt` and `-ot`), it has not been written since it was read. Stamps
 * DEVENV_HOME's filesystem did not keep to the µs (one that rounds them to its
 * own grain could bracket a whole second) are removed: the launcher then compares bytes.
 */
export function writeStamps(dir: string, name: string, file: WatchedFile): void {
  if (!file.stampable) return;
  const [older, newer] = ["older", "newer"].map((suffix) => join(dir, `${name}.${suffix}`)) as [string, string];
  for (const [stamp, at] of [[older, file.mtime - stampMargin], [newer, file.mtime + stampMargin]] as const) {
    writeFileSync(stamp, "", { mode: 0o600, flag: "wx" });
    utimesSync(stamp, seconds(at), seconds(at));
  }
  const [low, high] = [older, newer].map((stamp) => statSync(stamp, { bigint: true }).mtimeNs) as [bigint, bigint];
  if (!(low < file.mtime && file.mtime < high && high - low <= 2n * stampMargin + 2_000n)) {
    rmSync(older);
    rmSync(newer);
  }
}
