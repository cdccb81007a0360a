import { availableParallelism } from "node:os";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import { DevenvError } from "../errors.js";
import { handedOnChurn } from "../files/buffer-churn.js";
import { outcomeError, workerLimits, type Extraction, type ExtractJob, type FromWorker, type ToWorker } from "./unpack-protocol.js";
import { mayInflate, readAsItArrives, type ArchiveArrival } from "./arrival.js";
import { tarRouter } from "./tar-router.js";
import { entryPolicy } from "./unpack-policy.js";

/** Batches of one archive sent to a writer and not yet written (each at most an inflated chunk): 1 MB ahead, enough to keep it busy, little to hold. */
const aheadPerWorker = 4;

let shared: TarWriters | undefined;

/**
 * How many writers `cores` keep busy: one per core left beside the thread that
 * downloads and parses and the one that inflates, at most two. On two cores a
 * second writer only takes turns with them, and costs its memory
 * (docs/performance.md, sixth set).
 */
function writerCount(cores: number): number {
  return Math.max(1, Math.min(2, cores - 1));
}

/** This process's tar writers, started with its first tar.gz; `count` (a test's) only if it starts them. */
export function tarWriters(count = writerCount(availableParallelism())): TarWriters {
  shared ??= new TarWriters(count, () => (shared = undefined));
  return shared;
}

/** What an archive being unpacked hears from the writers: their messages, or the loss of one of them. */
interface Route {
  message(message: FromWorker, from: number): void;
  lost(error: Error): void;
}

/**
 * The threads that write tar.gz archives into the store (`writerCount`),
 * shared by every archive this process unpacks. Each archive is inflated once,
 * here, on the threadpool, and parsed once, here; each writer is sent its share
 * of the entries with their contents (store/tar-router.ts). Creating files is
 * most of an unpack's time, kernel time that scales with threads where cores
 * are free; archives installed together keep every writer busy to the end,
 * where a writer per archive left node's 2,500 files to one thread once python
 * and go were done.
 */
class TarWriters {
  private readonly workers: Worker[];
  private readonly routes = new Map<number, Route>();
  private nextId = 0;
  /** Settles when the archive being fed has been sent whole: archives are inflated one at a time. */
  private feeding: Promise<void> = Promise.resolve();
  /** Archives prepared and not yet closed: while there are any, the writers keep the process alive. */
  private open = 0;

  constructor(count: number, onLost: () => void) {
    let gone = false;
    const lose = (error: Error) => {
      if (gone) return;
      gone = true;
      onLost();
      for (const route of this.routes.values()) route.lost(error);
      for (const worker of this.workers) void worker.terminate();
    };
    this.workers = Array.from({ length: count }, (_, index) => {
      const worker = new Worker(new URL("./tar-worker.js", import.meta.url), { resourceLimits: workerLimits });
      worker.on("message", (message: FromWorker) => this.routes.get(message.id)?.message(message, index));
      worker.once("error", lose);
      worker.once("exit", (code) => lose(new Error(`an unpacking worker exited with code ${code} before answering`)));
      worker.unref();
      return worker;
    });
  }

  /** Opens the archive `file`'s unpacking into `job.dir` in every writer; nothing is read before `run`. */
  prepare(file: string, job: ExtractJob): Extraction {
    const id = this.nextId++;
    const { workers } = this;
    if (this.open++ === 0) workers.forEach((worker) => worker.ref());
    workers.forEach((worker) => worker.postMessage({ kind: "open", id, job } satisfies ToWorker));

    const unwritten = workers.map(() => 0);
    let caughtUp: (() => void) | undefined;
    const answers = workers.map(() => deferred<Array<[string, string]>>());
    const stopped = workers.map(() => deferred<void>());
    this.routes.set(id, {
      message: (message, from) => {
        if (message.kind === "ack") {
          unwritten[from]!--;
          if (unwritten.every((count) => count < aheadPerWorker)) caughtUp?.();
        } else if (message.kind === "stopped") stopped[from]!.resolve();
        else if ("hashes" in message.outcome) answers[from]!.resolve(message.outcome.hashes);
        else answers[from]!.reject(outcomeError(message.outcome));
      },
      // A writer that is gone writes nothing more.
      lost: (error) => {
        answers.forEach((answer) => answer.reject(error));
        stopped.forEach((stop) => stop.resolve());
      },
    });

    /**
     * Inflates and parses the archive as it arrives and sends each writer its
     * share, waiting whenever one is `aheadPerWorker` batches behind, or the
     * unverified archive has inflated all it may yet (`mayInflate`).
     */
    const feed = async (arrival: ArchiveArrival, signal: AbortSignal): Promise<void> => {
      signal.addEventListener("abort", () => caughtUp?.(), { once: true });
      const churn = handedOnChurn();
      const router = tarRouter(entryPolicy(job.source, job.stripTop), workers.length);
      const send = () =>
        router.take().forEach((batch, index) => {
          if (batch === undefined) return;
          workers[index]!.postMessage({ kind: "batch", id, ...batch } satisfies ToWorker, [batch.data.buffer]);
          unwritten[index]!++;
        });
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      let gzipError: Error | undefined;
      gunzip.once("error", (error) => (gzipError = error));
      let inflated = 0;
      try {
        await pipeline(
          readAsItArrives(file, arrival, signal),
          gunzip,
          async (chunks: AsyncIterable<Buffer>) => {
            for await (const chunk of chunks) {
              churn(chunk.length);
              inflated += chunk.length;
              while (!mayInflate(inflated, arrival)) await arrival.next(signal);
              router.write(chunk);
              if (router.refusal !== undefined) throw router.refusal;
              send();
              if (unwritten.some((count) => count >= aheadPerWorker)) await new Promise<void>((resolve) => (caughtUp = resolve));
              signal.throwIfAborted();
            }
            await router.end();
            if (router.refusal !== undefined) throw router.refusal;
            send();
          },
          { signal },
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // Refused while the inflate went on: the pipeline's teardown may report the inflate's end instead.
        if (router.refusal !== undefined) throw router.refusal;
        if (error === gzipError) throw new DevenvError("archive-invalid", `${job.source} is not a gzip archive: ${(error as Error).message}`, { hint: "check the mirror" });
        throw error;
      }
      workers.forEach((worker) => worker.postMessage({ kind: "end", id } satisfies ToWorker));
    };

    let closed: Promise<void> | undefined;
    return {
      run: async (arrival, signal) => {
        signal.throwIfAborted();
        // Stops the feed on an interrupt, or when a writer fails; `close` then stops the writers.
        const stop = new AbortController();
        const onAbort = () => stop.abort(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        try {
          const hashes = await Promise.all([this.inTurn(() => feed(arrival, stop.signal), stop.signal).then(() => []), ...answers.map((answer) => answer.promise)]);
          return new Map(hashes.flat());
        } catch (error) {
          stop.abort(error);
          throw signal.aborted ? signal.reason : error;
        } finally {
          signal.removeEventListener("abort", onAbort);
        }
      },
      close: () => {
        closed ??= (async () => {
          // Each writer answers "stopped" after every chunk sent before: from then on, it writes nothing here.
          workers.forEach((worker) => worker.postMessage({ kind: "stop", id } satisfies ToWorker));
          await Promise.all(stopped.map((stop) => stop.promise));
          this.routes.delete(id);
          if (--this.open === 0) workers.forEach((worker) => worker.unref());
        })();
        return closed;
      },
    };
  }

  /**
   * Runs `feed` once every archive before it has been fed, or at once when
   * `signal` aborts. One archive at a time: the writers write one archive's
   * chunks at a time anyway, and one inflating stream holds a third of what three do.
   */
  private async inTurn(feed: () => Promise<void>, signal: AbortSignal): Promise<void> {
    const before = this.feeding;
    let fed!: () => void;
    this.feeding = new Promise<void>((resolve) => (fed = resolve));
    try {
      await Promise.race([before, new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))]);
      await feed();
    } finally {
      fed();
    }
  }
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // Rejected answers nobody waits for any more (the feed failed first) are no unhandled rejections.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
