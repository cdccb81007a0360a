import { parentPort, workerData } from "node:worker_threads";
import { extractZip } from "./extract-zip.js";
import { outcomeOf, type ZipWorkerData } from "./unpack-protocol.js";
import { entryPolicy } from "./unpack-policy.js";

/** A zip's unpacking worker (store/extract.ts): reads the verified file itself once told to start, and answers its outcome. */
const { file, dir, source, stripTop } = workerData as ZipWorkerData;
const port = parentPort!;
port.once("message", () => void outcomeOf(extractZip(file, dir, entryPolicy(source, stripTop))).then((outcome) => port.postMessage(outcome)));
