import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * A hash of everything an entry is: every path (in a fixed order), its type
 * and mode, a link's target, a file's content. Any change shows.
 * `known`: content hashes already computed (while extracting), by relative path.
 */
export async function treeHash(root: string, known: ReadonlyMap<string, string> = new Map()): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const stat = await lstat(join(root, path));
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) hash.update(`l ${path} ${await readlink(join(root, path))}\n`);
      else if (stat.isDirectory()) {
        hash.update(`d ${mode} ${path}\n`);
        await walk(path);
      } else hash.update(`f ${mode} ${path} ${known.get(path) ?? (await fileHash(join(root, path)))}\n`);
    }
  };
  await walk("");
  return hash.digest("hex");
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
