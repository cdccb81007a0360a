import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Removes every write bit below `dir` (SPEC §4: entries are read-only),
 * children first so that directories stay writable until their contents are done.
 * `dir` itself is left for the caller, which must still rename it.
 */
export async function sealTree(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) await sealTree(path);
    await chmod(path, stat.mode & 0o555);
  }
}
