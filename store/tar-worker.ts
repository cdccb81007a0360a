import { parentPort, workerData } from "node:worker_threads";
import { ArchiveArrival } from "./arrival.js";
import { extractTar } from "./extract-tar.js";
import { outcomeOf, type ToTarWorker, type TarWorkerData } from "./unpack-protocol.js";
import { entryPolicy } from "./unpack-policy.js";

/**
 * One tar's unpacking worker (store/extract.ts): told how far the download has
 * written the file, and its verdict, it unpacks behind it, and answers its outcome once.
 */
const { file, dir, source, stripTop, compression } = workerData as TarWorkerData;
const port = parentPort!;
const arrival = new ArchiveArrival();
const stop = new AbortController();
port.on("message", (message: ToTarWorker) => {
  if (message.kind === "grew") arrival.grew(message.bytes);
  else if (message.kind === "verified") arrival.verify(message.size);
  else stop.abort(new Error("stopped"));
});
void outcomeOf(extractTar(file, dir, compression, entryPolicy(source, stripTop), arrival, stop.signal)).then((outcome) => {
  port.postMessage(outcome);
  // Nothing more to hear: the worker ends once the answer is on its way.
  port.unref();
});
