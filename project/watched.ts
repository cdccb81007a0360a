import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** A file the launcher's environment depends on, as read for it. */
export interface WatchedFile {
  readonly path: string;
  readonly content: Buffer;
}

/**
 * Reads each file, checking it still holds what its sha256 says (undefined if
 * any does not: the environment is not these files'). The launcher keeps a copy
 * of each and compares it with one `diff` before every answer.
 */
export function readWatched(files: ReadonlyArray<{ path: string; sha256: string }>): WatchedFile[] | undefined {
  const read: WatchedFile[] = [];
  for (const { path, sha256 } of files) {
    const content = readFileSync(path);
    if (createHash("sha256").update(content).digest("hex") !== sha256) return undefined;
    read.push({ path, content });
  }
  return read;
}
