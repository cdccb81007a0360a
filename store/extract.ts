import { DevenvError, type ErrorCode } from "../errors.js";

export type ArchiveFormat = "tar.gz" | "zip";

/** The format of an archive, by its canonical URL's name. */
export function formatOf(url: string): ArchiveFormat {
  return new URL(url).pathname.endsWith(".zip") ? "zip" : "tar.gz";
}

/** What the extracting worker (store/extract-worker.ts) is given. */
export interface ExtractJob {
  readonly file: string;
  readonly dir: string;
  readonly source: string;
  readonly format: ArchiveFormat;
  readonly stripTop: boolean;
}

/** What it answers: each file's content hash, or the error, as data. */
export type ExtractOutcome =
  | { readonly hashes: Array<[string, string]> }
  | { readonly error: { devenv: true; code: ErrorCode; message: string; hint: string | undefined } | { devenv: false; message: string; code?: string; syscall?: string; path?: string; errno?: number } };

/**
 * Unpacks the verified archive `file` (fetched from `source`) into `dir`: one
 * policy (store/unpack-policy.ts), two readers. `stripTop`: the archive holds
 * a single top-level directory, whose contents are the entry.
 * Returns the sha256 of each file's content by entry-relative path.
 *
 * In a worker thread of its own: its writes are synchronous (a toolchain is
 * thousands of small files, where a threadpool round trip per system call costs
 * more than the call), so toolchains installed together unpack in parallel, and
 * the main thread goes on downloading. An interrupt terminates the worker; once
 * it has stopped, nothing more is written, and `dir` may be removed.
 */
export async function extractArchive(file: string, dir: string, options: { source: string; format: ArchiveFormat; stripTop: boolean; signal?: AbortSignal }): Promise<ReadonlyMap<string, string>> {
  const { Worker } = await import("node:worker_threads");
  const { signal, ...rest } = options;
  signal?.throwIfAborted();
  // A small heap: the worker holds a few chunks and entries at a time, and every MB of its young
  // generation counts once per toolchain installed at once.
  const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };
  const worker = new Worker(new URL("./extract-worker.js", import.meta.url), { workerData: { file, dir, ...rest } satisfies ExtractJob, resourceLimits });
  const outcome = await new Promise<ExtractOutcome>((resolve, reject) => {
    const onAbort = () => void worker.terminate();
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (message: ExtractOutcome) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(message);
    });
    worker.once("error", reject);
    // Terminated on an interrupt, it exits before answering (and has stopped writing): the interrupt is the reason.
    worker.once("exit", (code) => reject(signal?.aborted ? (signal.reason as Error) : new Error(`the unpacking worker exited with code ${code} before answering`)));
  });
  await worker.terminate();
  if ("hashes" in outcome) return new Map(outcome.hashes);
  const { error } = outcome;
  if (error.devenv) throw new DevenvError(error.code, error.message, { hint: error.hint });
  throw Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall, path: error.path, errno: error.errno });
}
