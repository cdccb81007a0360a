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

/**
 * One thing a tar writer (store/tar-worker.ts) does, in the archive's order: a
 * file's content follows its `file` as `data`, the next `length` bytes of the
 * batch's data, then `close`.
 */
export type WriteOp =
  | { readonly op: "directory"; readonly path: string; readonly mode: number }
  | { readonly op: "symlink"; readonly path: string; readonly target: string }
  | { readonly op: "link"; readonly path: string; readonly target: string }
  | { readonly op: "file"; readonly path: string; readonly mode: number }
  | { readonly op: "data"; readonly length: number }
  | { readonly op: "close"; readonly mtime: number | undefined };

/** A writer's share of a stretch of a tar stream (store/tar-router.ts): what to do, and the contents it writes, back to back. */
export interface TarBatch {
  readonly ops: readonly WriteOp[];
  readonly data: Uint8Array<ArrayBuffer>;
}

/** What a tar writer is told, for the archive `id`. Each batch is answered "ack" once written, "stop" with "stopped". */
export type ToWorker =
  | { readonly kind: "open"; readonly id: number; readonly job: ExtractJob }
  | ({ readonly kind: "batch"; readonly id: number } & TarBatch)
  | { readonly kind: "end"; readonly id: number }
  | { readonly kind: "stop"; readonly id: number };

export type FromWorker = { readonly id: number } & ({ readonly kind: "ack" } | { readonly kind: "stopped" } | { readonly kind: "outcome"; readonly outcome: ExtractOutcome });

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
