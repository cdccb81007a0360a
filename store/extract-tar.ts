import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { DevenvError } from "../errors.js";
import { bufferChurn } from "../files/buffer-churn.js";
import { mayInflate, readAsItArrives, type ArchiveArrival } from "./arrival.js";
import { EntryWriter, type OpenFile } from "./entry-writer.js";
import { safeMode, type EntryPolicy } from "./unpack-policy.js";

/**
 * Unpacks the tar.gz or tar.xz `file` into `dir` under `policy` as its download writes it
 * (`arrival`): read behind the download, inflated (no further than `mayInflate`
 * allows until the archive is verified, so a gzip bomb cannot fill the disk before
 * its checksum fails), parsed, placed, and written synchronously by devenv's own
 * writer (a toolchain is thousands of small files, where a threadpool round trip
 * per system call costs more than the call). Returns the sha256 of each file's
 * content by entry-relative path. Runs in a worker of its own (store/tar-worker.ts).
 */
export async function extractTar(file: string, dir: string, compression: Compression, policy: EntryPolicy, arrival: ArchiveArrival, signal: AbortSignal): Promise<ReadonlyMap<string, string>> {
  const hashes = new Map<string, string>();
  const writer = new EntryWriter(dir, (problem) => {
    throw policy.refuse(problem) ?? policy.refusal;
  });
  let open: { path: string; out: OpenFile; hash: Hash } | undefined;
  /** The disk's error, or the policy's refusal, thrown inside the parser's events: the first one stops everything. */
  let failure: unknown;
  const guard = (work: () => void) => {
    if (failure !== undefined) return;
    try {
      work();
    } catch (error) {
      failure = error;
    }
  };
  const places = new WeakMap<ReadEntry, { path: string; linkpath: string }>();
  const parser = new Parser({
    filter: (path, stat) => {
      // Nothing more is written after a refusal, not even the rest of the chunk at hand.
      if (policy.refusal !== undefined || failure !== undefined) return false;
      const entry = stat as ReadEntry;
      const placed = policy.place(path, entry.type, String(entry.linkpath ?? ""));
      if (placed === undefined) return false;
      places.set(entry, placed);
      return true;
    },
    // node-tar skips what it finds broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message) => {
      if (code !== "TAR_ENTRY_INFO") policy.refuse(`${message} (${code})`);
    },
  });
  parser.on("entry", (entry: ReadEntry) => {
    const { path, linkpath } = places.get(entry)!;
    if (entry.type === "Directory") guard(() => writer.directory(path, safeMode(entry.mode ?? 0o755)));
    else if (entry.type === "SymbolicLink") guard(() => writer.symlink(path, linkpath));
    else if (entry.type === "Link")
      guard(() => {
        writer.link(path, linkpath);
        hashes.set(path, hashes.get(linkpath)!);
      });
    else {
      guard(() => (open = { path, out: writer.file(path, safeMode(entry.mode ?? 0o644)), hash: createHash("sha256") }));
      entry.on("data", (chunk: Buffer) =>
        guard(() => {
          open!.out.write(chunk);
          open!.hash.update(chunk);
        }),
      );
      entry.on("end", () =>
        guard(() => {
          const { out, hash } = open!;
          open = undefined;
          // The archive's time: python checks its bytecode against its sources' times.
          out.close(entry.mtime);
          hashes.set(path, hash.digest("hex"));
        }),
      );
      return;
    }
    entry.resume();
  });
  parser.on("error", (error: Error) => policy.refuse(error.message));
  const parsed = new Promise<void>((resolve) => parser.on("end", resolve));

  const stopped = () => failure ?? policy.refusal;
  const churn = bufferChurn();
  let inflated = 0;
  const consume = async (chunks: AsyncIterable<Uint8Array>) => {
    for await (const chunk of chunks) {
      churn(chunk.length);
      inflated += chunk.length;
      while (!mayInflate(inflated, arrival)) await arrival.next(signal);
      parser.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (stopped() !== undefined) throw stopped();
    }
    parser.end();
    await parsed;
    if (stopped() !== undefined) throw stopped();
  };
  let inflateError: unknown;
  try {
    if (compression === "gzip") {
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      gunzip.once("error", (error) => (inflateError = error));
      await pipeline(readAsItArrives(file, arrival, signal), gunzip, consume, { signal });
    } else {
      // Loaded only for a tar.xz: most archives are gzip.
      // A CommonJS module: its exports are the namespace's default.
      const { XzReadableStream } = ((await import("xz-decompress")) as unknown as { default: typeof import("xz-decompress") }).default;
      const unxz = Readable.fromWeb(new XzReadableStream(Readable.toWeb(Readable.from(readAsItArrives(file, arrival, signal))) as ReadableStream<Uint8Array>) as NodeReadableStream<Uint8Array>);
      unxz.once("error", (error) => (inflateError = error));
      await pipeline(unxz, consume, { signal });
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    // Refused while the inflate went on: the pipeline's teardown may report the inflate's end instead.
    if (stopped() !== undefined) throw stopped();
    if (error === inflateError && !(error instanceof DevenvError)) throw new DevenvError("archive-invalid", `${policy.source} is not ${compression === "gzip" ? "a gzip" : "an xz"} archive: ${(error as Error).message}`, { hint: "check the mirror" });
    throw error;
  } finally {
    try {
      open?.out.close(undefined);
    } catch {
      // the first error is what is reported
    }
  }
  return hashes;
}

/** How a tar is compressed: gzip by node's zlib; xz by xz-embedded (xz-decompress: WebAssembly, streaming, no native addon). */
export type Compression = "gzip" | "xz";
