import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { DevenvError, type ErrorCode } from "../errors.js";

/** What a refused file is, in the error's words. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly hint: string;
}

/**
 * A regular file's bytes, at most `limit` of them. The file is opened without
 * blocking (a FIFO would wait for a writer), checked with fstat on the open
 * descriptor (so a swap after the check changes nothing), and read only up to
 * the limit: a link to /dev/zero or a named pipe, whose stat size says 0, is
 * refused instead of read until memory runs out.
 */
export function readLimited(path: string, limit: number, refusal: Refusal): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stat = fstatSync(fd);
    // As readFileSync says it, so callers name it as any other filesystem error.
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: "EISDIR", errno: -21, syscall: "read", path });
    if (!stat.isFile()) throw new DevenvError(refusal.code, `${path} is not a regular file (a device, pipe or socket, or a link to one)`, { hint: refusal.hint });
    if (stat.size > limit) throw tooLarge(path, limit, refusal);
    const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
    let length = 0;
    // A file that grows while it is read is read only up to the limit, and then refused.
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > limit) throw tooLarge(path, limit, refusal);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string, limit: number, refusal: Refusal): DevenvError {
  return new DevenvError(refusal.code, `${path} is over ${limit / 2 ** 20} MiB, larger than devenv reads there`, { hint: refusal.hint });
}
