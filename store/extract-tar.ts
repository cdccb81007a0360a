import { createHash } from "node:crypto";
import { Parser, type ReadEntry } from "tar";
import { DevenvError } from "../errors.js";
import { bufferChurn } from "../files/buffer-churn.js";
import { EntryWriter } from "./entry-writer.js";
import { safeMode, type EntryPolicy } from "./unpack-policy.js";

/** A tar stream's way onto disk, fed as it is inflated elsewhere (store/extract.ts). */
export interface TarSink {
  /** Parses and writes what the chunk completes, synchronously; ignored once the sink has failed. */
  write(chunk: Buffer): void;
  /** Why the sink stopped writing: a refusal of the archive, or the disk's error. */
  readonly failure: Error | undefined;
  /** After the last chunk: the sha256 of each file written, by entry-relative path, once nothing is being written any more. */
  end(): Promise<ReadonlyMap<string, string>>;
}

/**
 * Unpacks a verified archive's tar stream into `dir` under `policy`: of every
 * entry the policy places, those in this `share` (`shareOf`). node-tar parses;
 * the EntryWriter writes, synchronously: a toolchain is thousands of small
 * files, and a threadpool round trip per system call costs more than the call.
 */
export function tarSink(dir: string, policy: EntryPolicy, share: { index: number; of: number }): TarSink {
  /** The first error writing to disk (ENOSPC, EACCES): the disk's fault, not the archive's. */
  let writeError: Error | undefined;
  const failure = () => writeError ?? policy.refusal;
  const fail = (error: unknown) => {
    // A refusal is recorded by the policy already.
    if (error instanceof DevenvError) return;
    if ((error as NodeJS.ErrnoException).syscall !== undefined) writeError ??= error as Error;
    else policy.refuse((error as Error).message);
  };
  const writer = new EntryWriter(dir, (problem) => {
    policy.refuse(problem);
    throw policy.refusal!;
  });

  /** Where each entry the policy places lands, by its own header: what is checked is what is written. */
  const placements = new WeakMap<ReadEntry, { path: string; linkpath: string }>();
  const parser = new Parser({
    filter: (path, stat) => {
      // Nothing more is written after a refusal, not even the rest of the chunk at hand.
      if (failure() !== undefined) return false;
      const entry = stat as ReadEntry;
      const placed = policy.place(path, entry.type, String(entry.linkpath ?? ""));
      if (placed === undefined || shareOf(entry.type === "Link" ? placed.linkpath : placed.path, share.of) !== share.index) return false;
      placements.set(entry, placed);
      return true;
    },
    // node-tar skips what it finds broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message) => {
      if (code !== "TAR_ENTRY_INFO") policy.refuse(`${message} (${code})`);
    },
  });

  /** sha256 of each file's content as it was written, by entry-relative path: the tree hash need not read them again. */
  const contentHashes = new Map<string, string>();
  const writeFile = (entry: ReadEntry, path: string) => {
    const file = writer.file(path, safeMode(entry.mode ?? 0o644));
    const hash = createHash("sha256");
    let open = true;
    const close = () => {
      open = false;
      file.close(entry.mtime);
    };
    entry.on("data", (chunk: Buffer) => {
      if (!open) return;
      try {
        file.write(chunk);
        hash.update(chunk);
      } catch (error) {
        fail(error);
        close();
      }
    });
    entry.on("end", () => {
      if (!open) return;
      try {
        close();
        contentHashes.set(path, hash.digest("hex"));
      } catch (error) {
        fail(error);
      }
    });
  };
  parser.on("entry", (entry: ReadEntry) => {
    const placed = placements.get(entry)!;
    try {
      if (entry.type === "Directory") writer.directory(placed.path, safeMode(entry.mode ?? 0o755));
      else if (entry.type === "SymbolicLink") writer.symlink(placed.path, placed.linkpath);
      else if (entry.type === "Link") {
        writer.link(placed.path, placed.linkpath);
        contentHashes.set(placed.path, contentHashes.get(placed.linkpath)!);
      } else return writeFile(entry, placed.path);
    } catch (error) {
      fail(error);
    }
    entry.resume();
  });

  parser.on("error", fail);
  const ended = new Promise<void>((resolve) => parser.on("end", resolve));
  const churn = bufferChurn();
  return {
    get failure() {
      return failure();
    },
    write(chunk) {
      if (failure() !== undefined) return;
      churn(chunk.length);
      parser.write(chunk);
    },
    async end() {
      if (failure() === undefined) {
        parser.end();
        await ended;
      }
      const stopped = failure();
      if (stopped !== undefined) throw stopped;
      return contentHashes;
    },
  };
}

/**
 * Which of `of` shares writes the entry at `path` (for a hard link, at its
 * target): the one its directory falls to. Files of one directory are written
 * by one thread, in the archive's order: a repeated entry replaces the one
 * before it, and a hard link comes after its target.
 */
function shareOf(path: string, of: number): number {
  if (of === 1) return 0;
  // FNV-1a of the directory's path: spreads a toolchain's directories evenly, and costs nothing.
  let hash = 0x811c9dc5;
  const end = path.lastIndexOf("/");
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % of;
}
