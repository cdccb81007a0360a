import { createHash, type Hash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { bufferChurn } from "../files/buffer-churn.js";
import { EntryWriter, type OpenFile } from "./entry-writer.js";
import { outcomeOf, type FromWorker, type TarBatch, type ToWorker } from "./unpack-protocol.js";
import { unsafeArchive } from "./unpack-policy.js";

/**
 * One of the process's tar writers (store/tar-writers.ts). For each archive it
 * is sent its share of the entries, placed and in order (store/tar-router.ts),
 * writes them with an EntryWriter, synchronously (a toolchain is thousands of
 * small files, and a threadpool round trip per system call costs more than the
 * call), and acknowledges each batch once written. It parses nothing.
 */
class ArchiveWrite {
  /** sha256 of each file's content as it was written, by entry-relative path: the tree hash need not read them again. */
  readonly hashes = new Map<string, string>();
  /** Why nothing more is written: a refusal of the archive, or the disk's error. */
  failure: unknown;
  private readonly writer: EntryWriter;
  private file: { path: string; out: OpenFile; hash: Hash } | undefined;

  constructor(dir: string, source: string) {
    this.writer = new EntryWriter(dir, (problem) => {
      throw unsafeArchive(source, problem);
    });
  }

  write({ ops, data }: TarBatch): void {
    if (this.failure !== undefined) return;
    let at = 0;
    try {
      for (const op of ops) {
        switch (op.op) {
          case "directory":
            this.writer.directory(op.path, op.mode);
            break;
          case "symlink":
            this.writer.symlink(op.path, op.target);
            break;
          case "link":
            this.writer.link(op.path, op.target);
            this.hashes.set(op.path, this.hashes.get(op.target)!);
            break;
          case "file":
            this.file = { path: op.path, out: this.writer.file(op.path, op.mode), hash: createHash("sha256") };
            break;
          case "data": {
            const chunk = data.subarray(at, (at += op.length));
            this.file!.out.write(chunk);
            this.file!.hash.update(chunk);
            break;
          }
          case "close": {
            const { path, out, hash } = this.file!;
            this.file = undefined;
            // The archive's time: python checks its bytecode against its sources' times.
            out.close(op.mtime === undefined ? undefined : new Date(op.mtime));
            this.hashes.set(path, hash.digest("hex"));
          }
        }
      }
    } catch (error) {
      this.failure = error;
      this.abandon();
    }
  }

  /** Closes the file being written, if any: nothing more goes into it. */
  abandon(): void {
    try {
      this.file?.out.close(undefined);
    } catch {
      // Its error, if any, changes nothing: the archive's first error is what is reported.
    }
    this.file = undefined;
  }
}

const port = parentPort!;
const writes = new Map<number, ArchiveWrite>();
/** Archives whose outcome is being sent: "stopped" follows it. */
const answered = new Map<number, Promise<unknown>>();
const post = (message: FromWorker) => port.postMessage(message);
const churn = bufferChurn();

const answer = (id: number, write: ArchiveWrite) => {
  writes.delete(id);
  write.abandon();
  const outcome = outcomeOf(write.failure === undefined ? Promise.resolve(write.hashes) : Promise.reject(write.failure)).then((outcome) => post({ id, kind: "outcome", outcome }));
  answered.set(id, outcome);
  void outcome.finally(() => answered.delete(id));
};

port.on("message", (message: ToWorker) => {
  const { id } = message;
  const write = writes.get(id);
  switch (message.kind) {
    case "open":
      writes.set(id, new ArchiveWrite(message.job.dir, message.job.source));
      return;
    case "batch":
      if (write === undefined) return;
      write.write(message);
      churn(message.data.byteLength);
      if (write.failure === undefined) return post({ id, kind: "ack" });
      return answer(id, write);
    case "end":
      if (write !== undefined) answer(id, write);
      return;
    case "stop":
      writes.delete(id);
      write?.abandon();
      void Promise.resolve(answered.get(id)).then(() => post({ id, kind: "stopped" }));
  }
});
