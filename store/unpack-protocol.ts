import type { Worker } from "node:worker_threads";
import { DevenvError, type ErrorCode } from "../errors.js";
import type { ArchiveArrival } from "./arrival.js";

// What the unpacking threads and the main thread say to each other: a leaf, which
// extract.ts, the tar writers and the workers all import and which imports none of them.

/** One archive to unpack: into `dir`, refused (store/unpack-policy.ts) in the name of `source`. */
export interface ExtractJob {
  readonly dir: string;
  readonly source: string;
  /** The archive holds a single top-level directory, whose contents are the entry. */
  readonly stripTop: boolean;
}

/** What a zip's worker (store/zip-worker.ts) starts with: its archive and where it goes. */
export type ZipWorkerData = ExtractJob & { readonly file: string };

/** What a tar's worker (store/tar-worker.ts) starts with: its archive, growing as it downloads, how it is compressed, and where it goes. */
export type TarWorkerData = ExtractJob & { readonly file: string; readonly compression: "gzip" | "xz" };

/** What it is told: the download wrote `bytes` more, or the archive is whole and verified, or it is to stop. */
export type ToTarWorker = { readonly kind: "grew"; readonly bytes: number } | { readonly kind: "verified"; readonly size: number } | { readonly kind: "stop" };

/** What a worker answers for an archive: each file's content hash, or the error, as data. */
export type ExtractOutcome =
  | { readonly hashes: Array<[string, string]> }
  | { readonly error: { devenv: true; code: ErrorCode; message: string; hint: string | undefined } | { devenv: false; message: string; code?: string; syscall?: string; path?: string; errno?: number } };

/** An archive's unpacking, prepared before it downloads; nothing is read before `run`. */
export interface Extraction {
  /**
   * Unpacks the archive as `arrival` reveals it (a zip, whose index is at its
   * end, once it is whole and verified); returns the sha256 of each file's
   * content by entry-relative path. What it wrote counts only once the
   * archive is verified: until then, its caller reports the download's
   * failure, not this one's.
   */
  run(arrival: ArchiveArrival, signal: AbortSignal): Promise<ReadonlyMap<string, string>>;
  /** Stops writing; once this settles, nothing more is written into the entry's directory. */
  close(): Promise<void>;
}

/**
 * A small heap: a worker holds a few chunks and entries at a time, and every
 * MB of its young generation counts once per worker.
 */
export const workerLimits: NonNullable<ConstructorParameters<typeof Worker>[1]>["resourceLimits"] = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };

/** A worker's outcome: errors cross the thread boundary as data, a DevenvError with its code and hint, an OS error with its errno fields. */
export function outcomeOf(hashes: Promise<ReadonlyMap<string, string>>): Promise<ExtractOutcome> {
  return hashes.then(
    (hashes) => ({ hashes: [...hashes] }),
    (thrown: unknown) => {
      if (thrown instanceof DevenvError) return { error: { devenv: true, code: thrown.code, message: thrown.message, hint: thrown.hint } };
      const { message, code, syscall, path, errno } = thrown as NodeJS.ErrnoException;
      return { error: { devenv: false, message: String(message ?? thrown), code, syscall, path, errno } };
    },
  );
}

/** The error a worker's outcome carries, as it was thrown there. */
export function outcomeError(outcome: Extract<ExtractOutcome, { error: unknown }>): Error {
  const { error } = outcome;
  if (error.devenv) return new DevenvError(error.code, error.message, { hint: error.hint });
  return Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall, path: error.path, errno: error.errno });
}
