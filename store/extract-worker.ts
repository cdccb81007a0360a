import { parentPort, workerData } from "node:worker_threads";
import { DevenvError } from "../errors.js";
import { tarSink } from "./extract-tar.js";
import { extractZip } from "./extract-zip.js";
import type { ExtractJob, ExtractOutcome, FeedMessage } from "./extract.js";
import { entryPolicy } from "./unpack-policy.js";

/**
 * A worker store/extract.ts starts while the archive downloads. A zip it reads
 * itself once told to start; a tar.gz's tar stream it is fed, chunk by chunk,
 * acknowledging each once written.
 */
const job = workerData as ExtractJob;
const policy = entryPolicy(job.source, job.stripTop);
const port = parentPort!;

const answer = (outcome: Promise<ReadonlyMap<string, string>>) => void outcome.then((hashes) => ({ hashes: [...hashes] }), asData).then((result: ExtractOutcome) => port.postMessage(result));

if (job.format === "zip") port.once("message", () => answer(extractZip(job.file, job.dir, policy)));
else {
  const sink = tarSink(job.dir, policy, job.share);
  const onMessage = (message: FeedMessage) => {
    if (message === "end") return answer(sink.end());
    sink.write(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
    if (sink.failure === undefined) return port.postMessage("ack");
    port.off("message", onMessage);
    answer(Promise.reject(sink.failure));
  };
  port.on("message", onMessage);
}

/** Errors cross the thread boundary as data: a DevenvError keeps its code and hint, an OS error its errno fields. */
function asData(thrown: unknown): ExtractOutcome {
  if (thrown instanceof DevenvError) return { error: { devenv: true, code: thrown.code, message: thrown.message, hint: thrown.hint } };
  const { message, code, syscall, path, errno } = thrown as NodeJS.ErrnoException;
  return { error: { devenv: false, message: String(message ?? thrown), code, syscall, path, errno } };
}
