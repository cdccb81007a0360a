import type { Worker } from "node:worker_threads";
import { DevenvError, type ErrorCode } from "../errors.js";

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

/** What it answers: each file's content hash, or the error, as data. */
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
 * each inflating the whole archive and writing the directories that fall to
 * it: creating files is most of an unpack's time, and it scales with threads.
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
      const onAbort = () => void close();
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const answers = await Promise.all(workers.map((worker) => answer(worker, signal)));
        return new Map(answers.flat());
      } catch (error) {
        // One worker's refusal or failure ends the others before anything is removed.
        await close();
        throw error;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

/** Starts one worker's share and waits for its outcome. */
function answer(worker: Worker, signal: AbortSignal | undefined): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    worker.once("message", (outcome: ExtractOutcome) => {
      if ("hashes" in outcome) return resolve(outcome.hashes);
      const { error } = outcome;
      if (error.devenv) return reject(new DevenvError(error.code, error.message, { hint: error.hint }));
      reject(Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall, path: error.path, errno: error.errno }));
    });
    worker.once("error", reject);
    // Terminated on an interrupt, it exits before answering (and has stopped writing): the interrupt is the reason.
    worker.once("exit", (code) => reject(signal?.aborted ? (signal.reason as Error) : new Error(`an unpacking worker exited with code ${code} before answering`)));
    worker.postMessage("start");
  });
}
