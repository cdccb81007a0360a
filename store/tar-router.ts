import { Parser, type ReadEntry } from "tar";
import type { TarBatch, WriteOp } from "./unpack-protocol.js";
import { safeMode, type EntryPolicy } from "./unpack-policy.js";

/** A verified archive's tar stream, parsed once and dealt out to the writers (store/tar-writers.ts). */
export interface TarRouter {
  /** Parses what the chunk completes, synchronously; ignored once the archive is refused. */
  write(chunk: Buffer): void;
  /** After the last chunk: settles once the stream is parsed to its end. */
  end(): Promise<void>;
  /** What each writer is to do since the last call, in the archive's order; undefined for a writer with nothing to do. */
  take(): Array<TarBatch | undefined>;
  /** Why the archive is refused, once it is. */
  readonly refusal: Error | undefined;
}

/**
 * Parses a tar stream here, places every entry under `policy`, and deals each
 * to one of `writers` by its directory (`shareOf`): each writer is sent only
 * its own entries and their contents, one copy of each byte, and needs no tar
 * parser of its own.
 */
export function tarRouter(policy: EntryPolicy, writers: number): TarRouter {
  const pending = Array.from({ length: writers }, () => ({ ops: [] as WriteOp[], chunks: [] as Buffer[], bytes: 0 }));
  const routes = new WeakMap<ReadEntry, { path: string; linkpath: string; writer: number }>();
  const parser = new Parser({
    filter: (path, stat) => {
      // Nothing more is dealt out after a refusal, not even the rest of the chunk at hand.
      if (policy.refusal !== undefined) return false;
      const entry = stat as ReadEntry;
      const placed = policy.place(path, entry.type, String(entry.linkpath ?? ""));
      if (placed === undefined) return false;
      routes.set(entry, { ...placed, writer: shareOf(entry.type === "Link" ? placed.linkpath : placed.path, writers) });
      return true;
    },
    // node-tar skips what it finds broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message) => {
      if (code !== "TAR_ENTRY_INFO") policy.refuse(`${message} (${code})`);
    },
  });
  parser.on("entry", (entry: ReadEntry) => {
    const { path, linkpath, writer } = routes.get(entry)!;
    const to = pending[writer]!;
    if (entry.type === "Directory") to.ops.push({ op: "directory", path, mode: safeMode(entry.mode ?? 0o755) });
    else if (entry.type === "SymbolicLink") to.ops.push({ op: "symlink", path, target: linkpath });
    else if (entry.type === "Link") to.ops.push({ op: "link", path, target: linkpath });
    else {
      to.ops.push({ op: "file", path, mode: safeMode(entry.mode ?? 0o644) });
      entry.on("data", (chunk: Buffer) => {
        to.ops.push({ op: "data", length: chunk.length });
        to.chunks.push(chunk);
        to.bytes += chunk.length;
      });
      entry.on("end", () => to.ops.push({ op: "close", mtime: entry.mtime?.getTime() }));
      return;
    }
    entry.resume();
  });
  parser.on("error", (error: Error) => policy.refuse(error.message));
  const ended = new Promise<void>((resolve) => parser.on("end", resolve));

  return {
    get refusal() {
      return policy.refusal;
    },
    write(chunk) {
      if (policy.refusal === undefined) parser.write(chunk);
    },
    async end() {
      if (policy.refusal !== undefined) return;
      parser.end();
      await ended;
    },
    take() {
      return pending.map((batch) => {
        if (batch.ops.length === 0) return undefined;
        // Memory of its own (never the shared pool a small Buffer may sit in): it is transferred to the writer.
        const data = new Uint8Array(batch.bytes);
        let at = 0;
        for (const chunk of batch.chunks) {
          data.set(chunk, at);
          at += chunk.length;
        }
        const taken = { ops: batch.ops, data };
        Object.assign(batch, { ops: [], chunks: [], bytes: 0 });
        return taken;
      });
    },
  };
}

/**
 * Which of `of` writers writes the entry at `path` (for a hard link, at its
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
