import { parentPort, workerData } from "node:worker_threads";
import { DevenvError } from "../errors.js";
import { tarSink, type TarSink } from "./extract-tar.js";
import { extractZip } from "./extract-zip.js";
import type { ExtractOutcome, FromWorker, ToWorker, WorkerData } from "./extract.js";
import { entryPolicy } from "./unpack-policy.js";

/**
 * An unpacking worker (store/extract.ts). Given a zip, it reads it itself once
 * told to start. Otherwise it is one of the process's tar writers
 * (store/tar-writers.ts): it is sent each archive's tar stream, chunk by chunk,
 * writes its share, and acknowledges each chunk once written.
 */
const data = workerData as WorkerData;
const port = parentPort!;

if (data.zip !== undefined) {
  const { file, dir, source, stripTop } = data.zip;
  port.once("message", () => void settle(extractZip(file, dir, entryPolicy(source, stripTop))).then((outcome) => port.postMessage(outcome)));
} else {
  const sinks = new Map<number, TarSink>();
  /** Archives whose last chunk was sent: done once their sink has ended. */
  const ending = new Map<number, Promise<unknown>>();
  const post = (message: FromWorker) => port.postMessage(message);
  const answer = (id: number, hashes: Promise<ReadonlyMap<string, string>>) => {
    const outcome = settle(hashes).then((outcome) => post({ id, kind: "outcome", outcome }));
    ending.set(id, outcome);
    void outcome.finally(() => ending.delete(id));
  };
  port.on("message", (message: ToWorker) => {
    const { id } = message;
    const sink = sinks.get(id);
    switch (message.kind) {
      case "open":
        sinks.set(id, tarSink(message.job.dir, entryPolicy(message.job.source, message.job.stripTop), message.share));
        return;
      case "chunk":
        if (sink === undefined) return;
        sink.write(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
        if (sink.failure === undefined) return post({ id, kind: "ack" });
        sinks.delete(id);
        return answer(id, Promise.reject(sink.failure));
      case "end":
        sinks.delete(id);
        if (sink !== undefined) answer(id, sink.end());
        return;
      case "stop":
        sinks.delete(id);
        void Promise.resolve(ending.get(id)).then(() => post({ id, kind: "stopped" }));
    }
  });
}

/** Errors cross the thread boundary as data: a DevenvError keeps its code and hint, an OS error its errno fields. */
function settle(hashes: Promise<ReadonlyMap<string, string>>): Promise<ExtractOutcome> {
  return hashes.then(
    (hashes) => ({ hashes: [...hashes] }),
    (thrown: unknown) => {
      if (thrown instanceof DevenvError) return { error: { devenv: true, code: thrown.code, message: thrown.message, hint: thrown.hint } };
      const { message, code, syscall, path, errno } = thrown as NodeJS.ErrnoException;
      return { error: { devenv: false, message: String(message ?? thrown), code, syscall, path, errno } };
    },
  );
}
