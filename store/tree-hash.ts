import { createHash } from "node:crypto";
import { chmodSync, createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * A hash of everything an entry is: every path (in a fixed order), its type
 * and mode, a link's target, a file's content. Any change shows.
 * `known`: content hashes already computed (while extracting), by relative path.
 */
export function treeHash(root: string, known: ReadonlyMap<string, string> = new Map()): Promise<string> {
  return walkTree(root, known, false);
}

/**
 * Removes every write bit below `root` (SPEC §4: entries are read-only), and
 * returns the tree hash of the sealed tree: one walk for both, where an
 * install made two (docs/performance.md, second set). `root`
 * itself is left for the caller, which must still rename it.
 */
export function sealAndHash(root: string, known: ReadonlyMap<string, string>): Promise<string> {
  return walkTree(root, known, true);
}

/**
 * The tree is walked synchronously (thousands of entries, microseconds each,
 * where a threadpool round trip costs a tenth of a millisecond); only the
 * contents not already known are read, as streams. Sealing goes children
 * first, so that a directory stays writable until its contents are done.
 */
async function walkTree(root: string, known: ReadonlyMap<string, string>, seal: boolean): Promise<string> {
  const lines: Array<string | { prefix: string; path: string }> = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const absolute = join(root, path);
      const stat = lstatSync(absolute);
      if (stat.isSymbolicLink()) {
        lines.push(`l ${path} ${readlinkSync(absolute)}\n`);
        continue;
      }
      const mode = seal ? stat.mode & 0o555 : stat.mode & 0o7777;
      if (stat.isDirectory()) {
        lines.push(`d ${mode.toString(8)} ${path}\n`);
        walk(path);
      } else lines.push({ prefix: `f ${mode.toString(8)} ${path} `, path });
      if (seal) chmodSync(absolute, mode);
    }
  };
  walk("");
  const hash = createHash("sha256");
  for (const line of lines) {
    hash.update(typeof line === "string" ? line : `${line.prefix}${known.get(line.path) ?? (await fileHash(join(root, line.path)))}\n`);
  }
  return hash.digest("hex");
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
