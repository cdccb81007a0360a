import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { isProcessAlive } from "./pid.js";
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, symlinkSync, writeSync } from "node:fs";

/**
 * Writes a file so that readers see the old content or the new, never a mix:
 * a temporary file beside it (same filesystem), flushed, then renamed over it.
 * `exclusive`: fail with EEXIST rather than replace an existing file (a link, not a rename).
 * `tempDir`: where the temporary file goes, on the same filesystem (default: beside the file).
 * `flush: false`: not flushed to disk first, for a cache its reader checks: after a crash it may
 * be the old content, the new, or empty, never a mix (an fsync costs little on a quiet disk, much on a busy one).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, options: { exclusive?: boolean; tempDir?: string; flush?: boolean } = {}): void {
  const temp = join(options.tempDir ?? dirname(path), `${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
      if (options.flush !== false) fsyncSync(fd);
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

/** Points the symbolic link `path` at `target`, replacing what was there in one rename: never a moment without it. */
export function symlinkAtomic(path: string, target: string, tempDir: string): void {
  const temp = join(tempDir, `${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    symlinkSync(target, temp);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes temporary files of writeFileAtomic in `dir` whose writer is dead (killed before its rename). */
export function sweepDeadTemps(dir: string): void {
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const pid = Number(/\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1]);
    if (pid && !isProcessAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}
