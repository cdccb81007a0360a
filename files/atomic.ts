import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

/**
 * Writes a file so that readers see the old content or the new, never a mix:
 * a temporary file beside it (same filesystem), flushed, then renamed over it.
 * `exclusive`: fail with EEXIST rather than replace an existing file (a link, not a rename).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, options: { exclusive?: boolean } = {}): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) {
      linkSync(temp, path);
      rmSync(temp);
    } else {
      renameSync(temp, path);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
