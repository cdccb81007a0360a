import assert from "node:assert/strict";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { ArchiveArrival } from "../../store/arrival.js";
import { tarWriters } from "../../store/tar-writers.js";
import { tempDir } from "../support/cli.js";
import { realNodeTarball } from "../support/real-binaries.js";
import { buildTarball, type TarEntry } from "../support/tarball.js";
import { describeTree, unpackedByGnuTar } from "../support/tree.js";

// On two cores the CLI unpacks with one writer thread; three cores or more get two, each writing the
// entries of its share of the directories. These tests start this process's writers with two, whatever
// this machine has, and unpack through them as an install does.
const writers = tarWriters(2);

/** `archive` unpacked by the writers into a new directory, with the content hashes they took. */
async function unpack(archive: Buffer): Promise<{ tree: string; hashes: ReadonlyMap<string, string> }> {
  const dir = tempDir("devenv-two-writers-");
  const file = join(dir, "archive");
  const tree = join(dir, "tree");
  writeFileSync(file, archive);
  mkdirSync(tree);
  const extraction = writers.prepare(file, { dir: tree, source: "a test archive", stripTop: true });
  const arrival = new ArchiveArrival();
  arrival.verify(archive.length);
  try {
    return { tree, hashes: await extraction.run(arrival, new AbortController().signal) };
  } finally {
    await extraction.close();
  }
}

it("two writers unpack the real node archive as GNU tar does", async () => {
  const archive = await realNodeTarball();
  const { tree, hashes } = await unpack(archive);
  const expected = unpackedByGnuTar(archive);
  assert.equal(expected.length, 2495 - 1);
  assert.deepEqual(describeTree(tree), expected);
  assert.equal(hashes.size, expected.filter((line) => line.startsWith("f ")).length);
});

it("two writers keep the archive's order where it matters: a repeated entry, hard links across directories", async () => {
  const top = "tool-1.0";
  const entries: TarEntry[] = [{ path: `${top}/` }];
  // Enough directories that both writers get some.
  for (let d = 0; d < 24; d++) {
    entries.push({ path: `${top}/d${d}/` });
    for (let f = 0; f < 3; f++) entries.push({ path: `${top}/d${d}/f${f}`, content: `d${d}/f${f}\n` });
  }
  entries.push(
    { path: `${top}/d3/f0`, content: "written again\n" },
    // Each links to a file of another directory, one written twice: the link is to the last one.
    ...Array.from({ length: 24 }, (_, d): TarEntry => ({ path: `${top}/d${(d + 1) % 24}/link${d}`, type: "Link", linkpath: `${top}/d${d}/f0` })),
    { path: `${top}/d5/f1`, content: "after a link was made to a file beside it\n" },
  );
  const archive = buildTarball(entries);
  const { tree } = await unpack(archive);
  assert.deepEqual(describeTree(tree), unpackedByGnuTar(archive));
  for (let d = 0; d < 24; d++) assert.equal(statSync(join(tree, `d${(d + 1) % 24}`, `link${d}`)).ino, statSync(join(tree, `d${d}`, "f0")).ino, `link${d}`);
});
