import { parentPort, workerData } from "node:worker_threads";
import { DevenvError } from "../errors.js";
import { extractTar } from "./extract-tar.js";
import { extractZip } from "./extract-zip.js";
import type { ExtractJob, ExtractOutcome } from "./extract.js";
import { entryPolicy } from "./unpack-policy.js";

/** The worker store/extract.ts starts: unpacks one archive and says how it went. */
const job = workerData as ExtractJob;
const policy = entryPolicy(job.source, job.stripTop);
let outcome: ExtractOutcome;
try {
  const hashes = await (job.format === "zip" ? extractZip : extractTar)(job.file, job.dir, policy);
  outcome = { hashes: [...hashes] };
} catch (thrown) {
  // Errors cross the thread boundary as data: a DevenvError keeps its code and hint, an OS error its errno fields.
  if (thrown instanceof DevenvError) outcome = { error: { devenv: true, code: thrown.code, message: thrown.message, hint: thrown.hint } };
  else {
    const { message, code, syscall, path, errno } = thrown as NodeJS.ErrnoException;
    outcome = { error: { devenv: false, message: String(message ?? thrown), code, syscall, path, errno } };
  }
}
parentPort!.postMessage(outcome);
