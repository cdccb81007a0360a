import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { Unpack } from "../resolvers/types.js";
import type { ArchiveArrival } from "./arrival.js";
import { binaryExtraction } from "./extract-binary.js";
import { outcomeError, workerLimits, type Extraction, type ExtractJob, type ExtractOutcome, type TarWorkerData, type ToTarWorker, type ZipWorkerData } from "./unpack-protocol.js";

export type { Extraction, ExtractJob } from "./unpack-protocol.js";


/**
 * Prepares the unpacking of the archive `file` (fetched from `source`) into
 * `dir`, before the archive is downloaded, so that starting its worker costs
 * no time. Each archive has a worker of its own, which reads, inflates, parses,
 * writes and hashes, and answers once (pnpm's shape): a tar behind its
 * download, told how far it has come; a zip, whose index is at its end, once
 * it is whole and verified. The main thread goes on downloading.
 */
export async function prepareExtraction(options: ExtractJob & { file: string; unpack: Unpack; sha256: string }): Promise<Extraction> {
  const { file, unpack, sha256, ...job } = options;
  const { format } = unpack;
  if (format === "binary" || format === "gz") return binaryExtraction(file, job.dir, unpack.binary ?? "program", format === "gz", job.source, sha256);
  const { Worker } = await import("node:worker_threads");
  const isTar = format === "tar.gz" || format === "tar.xz";
  const data: TarWorkerData | ZipWorkerData = isTar ? { file, ...job, compression: format === "tar.gz" ? "gzip" : "xz" } : { file, ...job };
  const worker = new Worker(new URL(isTar ? "./tar-worker.js" : "./zip-worker.js", import.meta.url), { workerData: data, resourceLimits: workerLimits });
  // Closed (the download failed, or another tool's did), it neither waits for its turn nor holds one.
  const closing = new AbortController();
  const close = async () => {
    closing.abort(new Error("closed"));
    await worker.terminate();
  };
  return {
    close,
    async run(arrival, signal) {
      const onAbort = () => void close();
      signal.addEventListener("abort", onAbort, { once: true });
      const outcome = new Promise<Array<[string, string]>>((resolve, reject) => {
        worker.once("message", (answer: ExtractOutcome) => ("hashes" in answer ? resolve(answer.hashes) : reject(outcomeError(answer))));
        worker.once("error", reject);
        // Terminated on an interrupt, it exits before answering (and has stopped writing): the interrupt is the reason.
        worker.once("exit", (code) => reject(signal.aborted ? (signal.reason as Error) : new Error(`an unpacking worker exited with code ${code} before answering`)));
      });
      // Awaited only once this archive's turn came: its failure while it waited is no unhandled rejection.
      outcome.catch(() => undefined);
      let release: (() => void) | undefined;
      try {
        // Archives unpack in turns, one per core beside the downloading thread: their downloads go on meanwhile.
        // A zip is read only once whole: it waits for its download before its turn, never holding one meanwhile.
        if (format === "zip") while (!arrival.verified) await arrival.next(signal);
        release = await turns.take(AbortSignal.any([signal, closing.signal]));
        if (format === "zip") {
          worker.postMessage("start");
        } else {
          void follow(arrival, worker, signal);
        }
        return new Map(await outcome);
      } finally {
        release?.();
        signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

/**
 * How many archives unpack at once: one per core beside the thread that downloads. Three
 * workers on two cores took turns with each other and with the downloads, and three tools
 * installed together took as long as one after another (docs/performance.md, eighth set).
 */
const turns = slots(Math.max(1, availableParallelism() - 1));

function slots(count: number) {
  let free = count;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next !== undefined) next();
    else free++;
  };
  return {
    /** Settles with the slot's release once one is free; rejects if `signal` aborts first. */
    async take(signal: AbortSignal): Promise<() => void> {
      signal.throwIfAborted();
      if (free > 0) {
        free--;
        return release;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          waiting.splice(waiting.indexOf(go), 1);
          reject(signal.reason as Error);
        };
        const go = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        waiting.push(go);
        signal.addEventListener("abort", onAbort, { once: true });
      });
      return release;
    },
  };
}

/** Tells a tar's worker how far the download has written its file, then its verdict; a failed download stops it. */
async function follow(arrival: ArchiveArrival, worker: Worker, signal: AbortSignal): Promise<void> {
  let told = 0;
  try {
    for (;;) {
      if (arrival.written > told) worker.postMessage({ kind: "grew", bytes: arrival.written - told } satisfies ToTarWorker);
      told = arrival.written;
      if (arrival.verified) return void worker.postMessage({ kind: "verified", size: arrival.written } satisfies ToTarWorker);
      await arrival.next(signal);
    }
  } catch {
    worker.postMessage({ kind: "stop" } satisfies ToTarWorker);
  }
}
