import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { gzipSync, gunzipSync } from "node:zlib";
import type { Unpack } from "../../resolvers/types.js";
import { ArchiveArrival } from "../../store/arrival.js";
import { prepareExtraction } from "../../store/extract.js";
import { tempDir } from "../support/cli.js";
import { needs } from "../support/programs.js";
import { buildTarball } from "../support/tarball.js";

const sha = (body: Buffer) => createHash("sha256").update(body).digest("hex");

/** `archive` unpacked as `unpack` says into a new directory: the tree, or the error. */
async function unpack(archive: Buffer, how: Unpack): Promise<{ tree: string; hashes?: ReadonlyMap<string, string>; error?: Error }> {
  const dir = tempDir("devenv-unpack-");
  const file = join(dir, "archive");
  const tree = join(dir, "tree");
  writeFileSync(file, archive);
  mkdirSync(tree);
  const extraction = await prepareExtraction({ file, unpack: how, dir: tree, source: "https://example.test/asset", stripTop: how.strip === 1, sha256: sha(archive) });
  const arrival = new ArchiveArrival();
  arrival.verify(archive.length);
  try {
    return { tree, hashes: await extraction.run(arrival, new AbortController().signal) };
  } catch (error) {
    return { tree, error: error as Error };
  } finally {
    await extraction.close();
  }
}

const program = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(1000, 7)]);

it("a bare binary becomes its program's name, executable, its content hash the archive's", async () => {
  const { tree, hashes, error } = await unpack(program, { format: "binary", strip: 0, binary: "jq" });
  assert.equal(error, undefined);
  assert.deepEqual(readdirSync(tree), ["jq"]);
  assert.equal(statSync(join(tree, "jq")).mode & 0o777, 0o755);
  assert.deepEqual([...hashes!], [["jq", sha(program)]]);
});

it("a gzip-compressed binary is inflated into its name", async () => {
  const { tree, hashes, error } = await unpack(gzipSync(program), { format: "gz", strip: 0, binary: "tool" });
  assert.equal(error, undefined);
  assert.deepEqual(readFileSync(join(tree, "tool")), program);
  assert.deepEqual([...hashes!], [["tool", sha(program)]]);
});

it("a 'binary' that is no program (an HTML error page) is refused, and nothing is left", async () => {
  const { tree, error } = await unpack(Buffer.from("<!DOCTYPE html><html>Rate limited</html>"), { format: "binary", strip: 0, binary: "jq" });
  assert.match(String(error?.message), /^https:\/\/example\.test\/asset is no program: it begins "<!DO", not as an ELF or Mach-O binary or a #! script does$/);
  assert.equal(existsSync(join(tree, "jq")), false);
  const gz = await unpack(Buffer.from("not gzip at all"), { format: "gz", strip: 0, binary: "tool" });
  assert.match(String(gz.error?.message), /is not a gzip-compressed program/);
});

it("a tar.xz unpacks as a tar.gz does, its top directory stripped; a tar.gz called tar.xz is refused", { skip: needs("xz") }, async () => {
  const tarball = buildTarball([{ path: "shellcheck-v0.9.0/" }, { path: "shellcheck-v0.9.0/shellcheck", mode: 0o755, content: program }, { path: "shellcheck-v0.9.0/README.txt", content: "hi\n" }]);
  const xz = execFileSync("xz", ["-c"], { input: gunzipSync(tarball) });
  const { tree, hashes, error } = await unpack(xz, { format: "tar.xz", strip: 1 });
  assert.equal(error, undefined);
  assert.deepEqual(readdirSync(tree).sort(), ["README.txt", "shellcheck"]);
  assert.equal(hashes!.get("shellcheck"), sha(program));
  const wrong = await unpack(tarball, { format: "tar.xz", strip: 1 });
  assert.match(String(wrong.error?.message), /^https:\/\/example\.test\/asset is not an xz archive/);
  assert.deepEqual(readdirSync(wrong.tree), []);
});
