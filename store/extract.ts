import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Worker } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import { DevenvError, type ErrorCode } from "../errors.js";
import { bufferChurn } from "../files/buffer-churn.js";

export type ArchiveFormat = "tar.gz" | "zip";

/** The format of an archive, by its canonical URL's name. */
export function formatOf(url: string): ArchiveFormat {
  return new URL(url).pathname.endsWith(".zip") ? "zip" : "tar.gz";
}

/** What an extracting worker (store/extract-worker.ts) is given. */
export interface ExtractJob {
  readonly file: string;
  readonly dir: string;
  readonly source: string;
  readonly format: ArchiveFormat;
  readonly stripTop: boolean;
  /** This worker's share of the writes, of how many (store/extract-tar.ts, `shareOf`). */
  readonly share: { readonly index: number; readonly of: number };
}

/** What a tar.gz's workers are sent: its tar stream, chunk by chunk, then "end". Each chunk is answered "ack" once written. */
export type FeedMessage = Uint8Array | "end";

/** What it answers at the end: each file's content hash, or the error, as data. */
export type ExtractOutcome =
  | { readonly hashes: Array<[string, string]> }
  | { readonly error: { devenv: true; code: ErrorCode; message: string; hint: string | undefined } | { devenv: false; message: string; code?: string; syscall?: string; path?: string; errno?: number } };

/** Workers started for one archive, idle until the archive is verified. */
export interface Extraction {
  /** Unpacks the (now verified) archive; returns the sha256 of each file's content by entry-relative path. */
  run(signal?: AbortSignal): Promise<ReadonlyMap<string, string>>;
  /** Stops every worker; once this settles, nothing more is written. */
  close(): Promise<void>;
}

/**
 * Starts the workers that will unpack the archive `file` (fetched from
 * `source`) into `dir`: one policy (store/unpack-policy.ts), two readers.
 * `stripTop`: the archive holds a single top-level directory, whose contents
 * are the entry. Started before the archive is downloaded, so that loading
 * them costs no time; they read nothing before `run`.
 *
 * Worker threads: their writes are synchronous (a toolchain is thousands of
 * small files, where a threadpool round trip per system call costs more than
 * the call), so toolchains installed together unpack in parallel, and the main
 * thread goes on downloading. A tar.gz may be shared by `threads` workers,
 * each writing the directories that fall to it: creating files is most of an
 * unpack's time, kernel time that scales with threads. The archive is inflated
 * once, here, on the threadpool, and its tar stream sent to every worker.
 */
export async function prepareExtraction(options: { file: string; dir: string; source: string; format: ArchiveFormat; stripTop: boolean; threads: number }): Promise<Extraction> {
  const { Worker } = await import("node:worker_threads");
  const { threads, ...job } = options;
  const of = job.format === "tar.gz" ? Math.max(1, threads) : 1;
  // A small heap: a worker holds a few chunks and entries at a time, and every MB of its young
  // generation counts once per worker.
  const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };
  const workers = Array.from({ length: of }, (_, index) => new Worker(new URL("./extract-worker.js", import.meta.url), { workerData: { ...job, share: { index, of } } satisfies ExtractJob, resourceLimits }));
  const close = async () => void (await Promise.all(workers.map((worker) => worker.terminate())));
  return {
    close,
    async run(signal) {
      signal?.throwIfAborted();
      // Stops the feed as well as the workers: on an interrupt, or when one of them fails.
      const stop = new AbortController();
      const onAbort = () => {
        stop.abort(signal!.reason);
        void close();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const answers = workers.map((worker) => answer(worker, signal));
        if (job.format === "zip") workers[0]!.postMessage("start");
        else answers.push(feed(job.file, job.source, workers, stop.signal).then(() => []));
        return new Map((await Promise.all(answers)).flat());
      } catch (error) {
        // One worker's refusal or failure ends the others, and the feed, before anything is removed.
        stop.abort(error);
        await close();
        throw error;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

/** Chunks sent to a worker and not yet written: 2 MB ahead, enough to keep it busy, little to hold. */
const aheadPerWorker = 8;

/**
 * Inflates the verified tar.gz `file` (on the threadpool) and sends every chunk
 * to every worker, each a copy of its own, waiting whenever one of them is
 * `aheadPerWorker` chunks behind.
 */
async function feed(file: string, source: string, workers: readonly Worker[], signal: AbortSignal): Promise<void> {
  const unwritten = workers.map(() => 0);
  let caughtUp: (() => void) | undefined;
  const listeners = workers.map((worker, index) => {
    const listener = (message: unknown) => {
      if (message !== "ack") return;
      unwritten[index]!--;
      if (unwritten.every((count) => count < aheadPerWorker)) caughtUp?.();
    };
    worker.on("message", listener);
    return listener;
  });
  signal.addEventListener("abort", () => caughtUp?.(), { once: true });
  const churn = bufferChurn();
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  let gzipError: Error | undefined;
  gunzip.once("error", (error) => (gzipError = error));
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 18 }),
      gunzip,
      async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          churn(chunk.length);
          workers.forEach((worker, index) => {
            const copy = new Uint8Array(chunk);
            worker.postMessage(copy satisfies FeedMessage, [copy.buffer]);
            unwritten[index]!++;
          });
          if (unwritten.some((count) => count >= aheadPerWorker)) await new Promise<void>((resolve) => (caughtUp = resolve));
          signal.throwIfAborted();
        }
      },
      { signal },
    );
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error === gzipError) throw new DevenvError("archive-invalid", `${source} is not a gzip archive: ${(error as Error).message}`, { hint: "check the mirror" });
    throw error;
  } finally {
    workers.forEach((worker, index) => worker.off("message", listeners[index]!));
  }
  for (const worker of workers) worker.postMessage("end" satisfies FeedMessage);
}

/** One worker's outcome, once it has written all it was sent. */
function answer(worker: Worker, signal: AbortSignal | undefined): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    worker.on("message", (outcome: ExtractOutcome | "ack") => {
      if (outcome === "ack") return;
      if ("hashes" in outcome) return resolve(outcome.hashes);
      const { error } = outcome;
      if (error.devenv) return reject(new DevenvError(error.code, error.message, { hint: error.hint }));
      reject(Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall, path: error.path, errno: error.errno }));
    });
    worker.once("error", reject);
    // Terminated on an interrupt, it exits before answering (and has stopped writing): the interrupt is the reason.
    worker.once("exit", (code) => reject(signal?.aborted ? (signal.reason as Error) : new Error(`an unpacking worker exited with code ${code} before answering`)));
  });
}
