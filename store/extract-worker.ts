import { parentPort, workerData } from "node:worker_threads";
import { DevenvError } from "../errors.js";
import { extractTar } from "./extract-tar.js";
import { extractZip } from "./extract-zip.js";
import type { ExtractJob, ExtractOutcome } from "./extract.js";
import { entryPolicy } from "./unpack-policy.js";

/** A worker store/extract.ts starts: loaded while the archive downloads, it unpacks its share once told to start. */
const job = workerData as ExtractJob;

async function extract(): Promise<ExtractOutcome> {
  const policy = entryPolicy(job.source, job.stripTop);
  try {
    const hashes = await (job.format === "zip" ? extractZip(job.file, job.dir, policy) : extractTar(job.file, job.dir, policy, job.share));
    return { hashes: [...hashes] };
  } catch (thrown) {
    // Errors cross the thread boundary as data: a DevenvError keeps its code and hint, an OS error its errno fields.
    if (thrown instanceof DevenvError) return { error: { devenv: true, code: thrown.code, message: thrown.message, hint: thrown.hint } };
    const { message, code, syscall, path, errno } = thrown as NodeJS.ErrnoException;
    return { error: { devenv: false, message: String(message ?? thrown), code, syscall, path, errno } };
  }
}

parentPort!.once("message", () => void extract().then((outcome) => parentPort!.postMessage(outcome)));
