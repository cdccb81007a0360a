import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { ArchiveArrival } from "../../store/arrival.js";
import { prepareExtraction } from "../../store/extract.js";
import { tempDir } from "../support/cli.js";
import { realNodeTarball } from "../support/real-binaries.js";
import { buildTarball, type TarEntry } from "../support/tarball.js";
import { describeTree, unpackedByGnuTar } from "../support/tree.js";

/**
 * `archive` unpacked by its worker into a new directory, with the content hashes it took; `arriving`:
 * written to the file in pieces, as a download would, the worker told of each and then of the verdict.
 */
async function unpack(archive: Buffer, arriving = false): Promise<{ tree: string; hashes: ReadonlyMap<string, string> }> {
  const dir = tempDir("devenv-unpack-");
  const file = join(dir, "archive");
  const tree = join(dir, "tree");
  writeFileSync(file, arriving ? Buffer.alloc(0) : archive);
  mkdirSync(tree);
  const extraction = await prepareExtraction({ file, unpack: { format: "tar.gz", strip: 1 }, dir: tree, source: "a test archive", stripTop: true, sha256: "" });
  const arrival = new ArchiveArrival();
  try {
    const hashes = extraction.run(arrival, new AbortController().signal);
    if (arriving) {
      for (let at = 0; at < archive.length; at += 100_000) {
        const piece = archive.subarray(at, at + 100_000);
        appendFileSync(file, piece);
        arrival.grew(piece.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    arrival.verify(archive.length);
    return { tree, hashes: await hashes };
  } finally {
    await extraction.close();
  }
}

it("one worker unpacks the real node archive as GNU tar does, whole or arriving in pieces", async () => {
  const archive = await realNodeTarball();
  const { tree, hashes } = await unpack(archive);
  assert.deepEqual(describeTree((await unpack(archive, true)).tree), describeTree(tree));
  const expected = unpackedByGnuTar(archive);
  assert.equal(expected.length, 2495 - 1);
  assert.deepEqual(describeTree(tree), expected);
  assert.equal(hashes.size, expected.filter((line) => line.startsWith("f ")).length);
});

it("the archive's order holds where it matters: a repeated entry, hard links across directories", async () => {
  const top = "tool-1.0";
  const entries: TarEntry[] = [{ path: `${top}/` }];
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
