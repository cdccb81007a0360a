import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { Minipass } from "minipass";
import { UnpackSync, type ReadEntry } from "tar";
import { DevenvError } from "../errors.js";
import { bufferChurn } from "../files/buffer-churn.js";
import { safeMode, type EntryPolicy } from "./unpack-policy.js";

/**
 * Unpacks the verified tar.gz `file` into `dir` under `policy`: of every entry
 * the policy places, those in this `share` of the directories (`shareOf`).
 * Settles only once nothing is being written any more. Returns the sha256 of
 * each file it wrote by entry-relative path.
 */
export async function extractTar(file: string, dir: string, policy: EntryPolicy, share: { index: number; of: number }): Promise<ReadonlyMap<string, string>> {
  /** The first error writing to disk (ENOSPC, EACCES): the disk's fault, not the archive's. */
  let writeError: Error | undefined;

  /**
   * Sees each entry's raw header before node-tar writes anything, and rewrites
   * its path to the stripped one itself, so that what is checked is what is written.
   */
  const filter = (path: string, stat: ReadEntry | unknown): boolean => {
    const entry = stat as ReadEntry;
    const placed = policy.place(path, entry.type, String(entry.linkpath ?? ""));
    if (placed === undefined || shareOf(entry.type === "Link" ? placed.linkpath : placed.path, share.of) !== share.index) return false;
    entry.path = placed.path;
    if (entry.type === "Link") entry.linkpath = placed.linkpath;
    if (typeof entry.mode === "number") entry.mode = safeMode(entry.mode);
    return true;
  };

  /** sha256 of each file's content as it was written, by entry-relative path: the tree hash need not read them again. */
  const contentHashes = new Map<string, string>();
  const hashContent = (entry: ReadEntry): ReadEntry => {
    const path = entry.path;
    const tap = new HashingPassThrough();
    tap.on("end", () => contentHashes.set(path, tap.hash.digest("hex")));
    return tap as unknown as ReadEntry;
  };

  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  // Inflating on the libuv threadpool (Node's zlib stream), in 256 KiB chunks and up to 2 MiB ahead,
  // while this thread parses, hashes and writes files, rather than each waiting for the other
  // chunk by chunk (docs/performance.md). zlib's streams pass their options on to Transform.
  const inflateAhead: ZlibOptions & TransformOptions = { chunkSize: 1 << 18, readableHighWaterMark: 1 << 21 };
  const gunzip = createGunzip(inflateAhead);
  const input = createReadStream(file, { highWaterMark: 1 << 18 });
  let readError: Error | undefined;
  /**
   * Stops feeding the archive. Every write happens inside unpack.write(), synchronously:
   * once nothing more is fed, nothing more is written, so the caller may remove the
   * directory as soon as this returns (and node-tar, stopped mid-archive, never closes).
   */
  const stop = (error: Error) => {
    readError ??= error;
    input.destroy();
    gunzip.unpipe();
    settle();
  };

  // Synchronous writes: a toolchain is thousands of small files, and a threadpool round
  // trip for each lstat, open, write, utimes and close cost more than the writes themselves.
  const unpack = new UnpackSync({
    cwd: dir,
    preserveOwner: false,
    filter,
    transform: hashContent,
    // node-tar skips what it finds unsafe or broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message, data) => {
      // An operating-system error (an errno code: ENOSPC, EACCES) is the disk's; node-tar's own
      // refusals (TAR_SYMLINK_ERROR, which also names a syscall) are the archive's.
      const { syscall, code: errno } = data as unknown as NodeJS.ErrnoException;
      if (syscall !== undefined && /^E[A-Z]+$/.test(errno ?? "")) {
        writeError ??= data as unknown as Error;
        stop(writeError);
      } else if (code !== "TAR_ENTRY_INFO") {
        policy.refuse(`${message} (${code})`);
        stop(policy.refusal!);
      }
    },
  });
  input.on("error", stop);
  gunzip.on("error", (error: Error) => stop(new DevenvError("archive-invalid", `${policy.source} is not a gzip archive: ${error.message}`, { hint: "check the mirror" })));
  unpack.on("close", settle);
  unpack.on("error", (error: Error) => {
    policy.refuse(error.message);
    stop(policy.refusal!);
  });
  const churn = bufferChurn();
  gunzip.on("data", (chunk: Buffer) => churn(chunk.length));
  input.pipe(gunzip).pipe(unpack as unknown as NodeJS.WritableStream);
  await settled;
  const failure = readError ?? writeError ?? policy.refusal;
  if (failure !== undefined) throw failure;
  return contentHashes;
}

/**
 * Which of `of` shares writes the entry at `path` (for a hard link, at its
 * target): the one its directory falls to. Files of one directory are created
 * by one thread, since the kernel creates them one at a time anyway; a hard
 * link goes with its target, which the same thread wrote before it.
 */
function shareOf(path: string, of: number): number {
  if (of === 1) return 0;
  // FNV-1a of the directory's path: spreads a toolchain's directories evenly, and costs nothing.
  let hash = 0x811c9dc5;
  const end = path.lastIndexOf("/");
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % of;
}

/** Hashes what is written through it, on its way to the file. */
class HashingPassThrough extends Minipass<Buffer> {
  readonly hash = createHash("sha256");

  override write(chunk: Buffer, ...rest: unknown[]): boolean {
    this.hash.update(chunk);
    return (super.write as (chunk: Buffer, ...rest: unknown[]) => boolean)(chunk, ...rest);
  }
}
