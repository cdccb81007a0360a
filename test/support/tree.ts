import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./cli.js";

/** Every path below `root`, sorted, with its type, its read and execute bits (the store removes write bits), a link's target, a file's sha256. */
export function describeTree(root: string, rel = ""): string[] {
  return readdirSync(join(root, rel))
    .sort()
    .flatMap((name) => {
      const path = rel === "" ? name : `${rel}/${name}`;
      const stat = lstatSync(join(root, path));
      const mode = (stat.mode & 0o555).toString(8);
      if (stat.isSymbolicLink()) return [`l ${path} -> ${readlinkSync(join(root, path))}`];
      if (stat.isDirectory()) return [`d ${mode} ${path}`, ...describeTree(root, path)];
      return [`f ${mode} ${path} ${createHash("sha256").update(readFileSync(join(root, path))).digest("hex")}`];
    });
}

/** A .tar.gz as GNU tar unpacks it, its top directory stripped: the reference an entry must match. */
export function unpackedByGnuTar(archive: Buffer): string[] {
  const reference = tempDir("devenv-gnu-tar-");
  const tar = spawnSync("tar", ["xzf", "-", "-C", reference, "--strip-components=1"], { input: archive });
  assert.equal(tar.status, 0, String(tar.stderr));
  return describeTree(reference);
}
