import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * A hash of everything an entry is: every path (in a fixed order), its type
 * and mode, a link's target, a file's content. Any change shows.
 * `known`: content hashes already computed (while extracting), by relative path.
 * The tree is walked synchronously (thousands of entries, microseconds each);
 * only the contents not already known are read, as streams.
 */
export async function treeHash(root: string, known: ReadonlyMap<string, string> = new Map()): Promise<string> {
  const lines: Array<string | { prefix: string; path: string }> = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const stat = lstatSync(join(root, path));
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) lines.push(`l ${path} ${readlinkSync(join(root, path))}\n`);
      else if (stat.isDirectory()) {
        lines.push(`d ${mode} ${path}\n`);
        walk(path);
      } else lines.push({ prefix: `f ${mode} ${path} `, path });
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
