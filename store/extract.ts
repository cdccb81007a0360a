import { outcomeError, workerLimits, type Extraction, type ExtractJob, type ExtractOutcome, type ZipWorkerData } from "./unpack-protocol.js";

export type { Extraction, ExtractJob } from "./unpack-protocol.js";

export type ArchiveFormat = "tar.gz" | "zip";

/** The format of an archive, by its canonical URL's name. */
export function formatOf(url: string): ArchiveFormat {
  return new URL(url).pathname.endsWith(".zip") ? "zip" : "tar.gz";
}

/**
 * Prepares the unpacking of the archive `file` (fetched from `source`) into
 * `dir`, before the archive is downloaded, so that loading workers costs no
 * time, and a tar.gz unpacks while it arrives. Worker threads write,
 * synchronously (a toolchain is thousands of small files, where a threadpool
 * round trip per system call costs more than the call), while the main
 * thread goes on downloading. A tar.gz is written by the
 * process's tar writers (store/tar-writers.ts); a zip, whose index is at its
 * end, is read from the file by a worker of its own.
 */
export async function prepareExtraction(options: ExtractJob & { file: string; format: ArchiveFormat }): Promise<Extraction> {
  const { file, format, ...job } = options;
  if (format === "tar.gz") return (await import("./tar-writers.js")).tarWriters().prepare(file, job);
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL("./zip-worker.js", import.meta.url), { workerData: { file, ...job } satisfies ZipWorkerData, resourceLimits: workerLimits });
  const close = async () => void (await worker.terminate());
  return {
    close,
    async run(arrival, signal) {
      while (!arrival.verified) await arrival.next(signal);
      const onAbort = () => void close();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        return new Map(
          await new Promise<Array<[string, string]>>((resolve, reject) => {
            worker.once("message", (outcome: ExtractOutcome) => ("hashes" in outcome ? resolve(outcome.hashes) : reject(outcomeError(outcome))));
            worker.once("error", reject);
            // Terminated on an interrupt, it exits before answering (and has stopped writing): the interrupt is the reason.
            worker.once("exit", (code) => reject(signal.aborted ? (signal.reason as Error) : new Error(`an unpacking worker exited with code ${code} before answering`)));
            worker.postMessage("start");
          }),
        );
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

