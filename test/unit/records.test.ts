import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import coerce from "semver/functions/coerce.js";
import { assetOf, checksumsOf, parseRecord, tagOf, type ToolRecord } from "../../resolvers/record.js";
import { spawnSync } from "node:child_process";
import { recordResolver } from "../../resolvers/from-record.js";
import { chooseAssets } from "../../resolvers/github-repo.js";
import { findResolver, toolNames } from "../../resolvers/registry.js";
import { platforms } from "../../resolvers/types.js";
import { repoRoot } from "../support/cli.js";
import { fakeContext } from "../support/fake-fetch.js";

const dir = join(repoRoot, "resolvers", "records");
const records = new Map<string, ToolRecord>(readdirSync(dir).filter((f) => f.endsWith(".json")).map((file) => {
  const name = file.slice(0, -".json".length);
  return [name, parseRecord(name, JSON.parse(readFileSync(join(dir, file), "utf8")))];
}));

/** The versions a record's ranges distinguish: one above every bound, and one just below each. */
function versionsOf(record: ToolRecord): string[] {
  const bounds = [...(record.assetsByVersion ?? []).map((r) => r.until), ...(record.checksumsByVersion ?? []).map((r) => r.until), ...record.tags.flatMap((t) => [t.from, t.until].filter((b): b is string => b !== undefined))];
  const before = (bound: string) => {
    const [major, minor, patch] = coerce(bound)!.version.split(".").map(Number) as [number, number, number];
    return patch > 0 ? `${major}.${minor}.${patch - 1}` : minor > 0 ? `${major}.${minor - 1}.9` : `${Math.max(0, major - 1)}.9.9`;
  };
  return ["999.0.0", ...bounds.map(before), ...bounds.map((b) => coerce(b)!.version)];
}

it("at least 50 records ship, each one well formed (parseRecord names the field that is not)", () => {
  assert.ok(records.size >= 50, `${records.size} records`);
  assert.throws(() => parseRecord("broken", { description: "x", repo: "a/b", tags: [{ tag: "v" }], asset: "a", os: { linux: "l", darwin: "d" }, arch: { x64: "x", arm64: "a" }, bin: { a: "." } }), /the record of broken: tags must be templates with \{version\}/);
  assert.throws(() => parseRecord("broken", { description: "x", tags: [{ tag: "v{version}" }], asset: "a", os: { linux: "l", darwin: "d" }, arch: { x64: "x", arm64: "a" }, bin: { a: "." } }), /repo or download: exactly one of them/);
});

it("names and aliases are unique, and none shadows a built-in tool", () => {
  const seen = new Map<string, string>();
  for (const name of ["node", "python", "go"]) seen.set(name, "built in");
  for (const [name, record] of records) {
    for (const word of [name, ...(record.aliases ?? [])]) {
      assert.equal(seen.get(word), undefined, `${word} (of ${name}) is also ${seen.get(word)}`);
      seen.set(word, name);
    }
  }
});

it("every template gives, for every version range and platform it claims, one complete asset name, a canonical URL and a tag", () => {
  const problems: string[] = [];
  for (const [name, record] of records) {
    for (const version of versionsOf(record)) {
      const assets = new Map<string, string>();
      for (const platform of platforms) {
        const found = assetOf(record, version, platform);
        if (found === undefined) continue;
        const where = `${name} ${version} ${platform}`;
        if (/[{}]/.test(found.asset)) problems.push(`${where}: ${found.asset} keeps a placeholder`);
        if (!/^[\w.+@-]+$/.test(found.asset)) problems.push(`${where}: ${found.asset} is no file name`);
        const { url } = found;
        if (!URL.canParse(url) || !url.startsWith("https://") || /[{}]/.test(url)) problems.push(`${where}: ${url} is no canonical URL`);
        if (/[{}]/.test(tagOf(record, version))) problems.push(`${where}: tag ${tagOf(record, version)}`);
        const checksums = checksumsOf(record, version);
        if (checksums !== undefined && /\{(?!asset\}|version\}|tag\})/.test(checksums.file)) problems.push(`${where}: checksums ${checksums.file}`);
        if (found.format === "binary" && Object.values(found.bin).some((path) => path !== ".")) problems.push(`${where}: a bare binary's bin is "."`);
        // Two platforms share an asset only on darwin: x64's build run by Rosetta 2, or one universal build.
        const twin = assets.get(url);
        if (twin !== undefined && ![twin, platform].every((p) => p.startsWith("darwin-"))) problems.push(`${where}: ${url} is ${twin}'s too`);
        assets.set(url, platform);
      }
    }
    if (platforms.every((p) => assetOf(record, "999.0.0", p) === undefined)) problems.push(`${name}: no platform at all`);
  }
  assert.deepEqual(problems, []);
});

it("reads upstream's naming as it changed: jq 1.6 and 1.7.1, biome's two tag families, ripgrep's musl x64 build", () => {
  const jq = records.get("jq")!;
  assert.equal(assetOf(jq, "1.6", "linux-x64")!.asset, "jq-linux64");
  assert.equal(assetOf(jq, "1.6", "linux-arm64"), undefined);
  assert.equal(assetOf(jq, "1.6", "darwin-arm64")!.asset, "jq-osx-amd64");
  assert.equal(assetOf(jq, "1.7.1", "linux-arm64")!.asset, "jq-linux-arm64");
  assert.equal(checksumsOf(jq, "1.6"), undefined);
  assert.equal(checksumsOf(jq, "1.7.1")?.file, "sha256sum.txt");
  const biome = records.get("biome")!;
  assert.equal(assetOf(biome, "1.9.4", "linux-x64")!.url, "https://github.com/biomejs/biome/releases/download/cli%2Fv1.9.4/biome-linux-x64");
  assert.equal(assetOf(biome, "2.1.0", "linux-x64")!.url, "https://github.com/biomejs/biome/releases/download/%40biomejs%2Fbiome%402.1.0/biome-linux-x64");
  assert.equal(assetOf(records.get("kubectl")!, "1.31.2", "darwin-arm64")!.url, "https://dl.k8s.io/release/v1.31.2/bin/darwin/arm64/kubectl");
  assert.equal(assetOf(records.get("ripgrep")!, "14.1.1", "linux-x64")!.asset, "ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz");
});

it("devenv.ts's types and README's tool table are the records' (npm run records writes them), and name every tool", () => {
  const check = spawnSync(process.execPath, [join(repoRoot, "scripts", "records.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(check.status, 0, check.stderr);
  const define = readFileSync(join(repoRoot, "config", "define.ts"), "utf8");
  const body = define.slice(define.indexOf("export interface DevenvTools {"), define.indexOf("\n}", define.indexOf("export interface DevenvTools {")));
  const declared = [...body.matchAll(/^  "?([\w.-]+)"?\?:/gm)].map((m) => m[1]);
  assert.deepEqual(declared.sort(), toolNames().sort());
});

it("github:OWNER/REPO: names that are no path, and a lock's URL only to a file of a release of that version", () => {
  assert.equal(findResolver("github:sharkdp/.."), undefined);
  assert.equal(findResolver("github:../fd"), undefined);
  const fd = findResolver("github:sharkdp/fd")!;
  const base = "https://github.com/sharkdp/fd/releases/download";
  assert.equal(fd.isCanonicalUrl!(`${base}/v8.6.0/fd-v8.6.0-x86_64-unknown-linux-gnu.tar.gz`, "8.6.0", "linux-x64"), true);
  assert.equal(fd.isCanonicalUrl!(`${base}/v8.7.0/fd-v8.7.0-x86_64-unknown-linux-gnu.tar.gz`, "8.6.0", "linux-x64"), false, "another version's file");
  assert.equal(fd.isCanonicalUrl!(`${base}/v8.6.0/..%2F..%2Fother%2Frepo`, "8.6.0", "linux-x64"), false, "a path in the asset's name");
  assert.equal(fd.isCanonicalUrl!(`${base}/v8.6.0/%2E%2E`, "8.6.0", "linux-x64"), false);
  assert.equal(fd.isCanonicalUrl!("https://github.com/evil/fd/releases/download/v8.6.0/fd", "8.6.0", "linux-x64"), false, "another repository");
  assert.deepEqual(fd.unpack!("8.6.0", "linux-x64", `${base}/v8.6.0/..%2Fx`), { format: "binary", strip: 0, binary: "fd" });
});

it("chooses each platform's asset by its name: gnu over musl, archives over bare binaries, never a package or checksum", () => {
  const names = ["tool-1.0-x86_64-unknown-linux-musl.tar.gz", "tool-1.0-x86_64-unknown-linux-gnu.tar.gz", "tool-1.0-aarch64-unknown-linux-musl.tar.gz", "tool_1.0_amd64.deb", "tool-1.0-x86_64-apple-darwin.zip", "tool-1.0-x86_64-apple-darwin", "checksums.txt", "tool-1.0-x86_64-pc-windows-msvc.zip", "tool-1.0-x86_64-unknown-linux-gnu.tar.gz.sig"];
  assert.deepEqual(chooseAssets("github:a/tool", "1.0", names, {}), {
    "linux-x64": "tool-1.0-x86_64-unknown-linux-gnu.tar.gz",
    "linux-arm64": "tool-1.0-aarch64-unknown-linux-musl.tar.gz",
    "darwin-x64": "tool-1.0-x86_64-apple-darwin.zip",
    "darwin-arm64": "tool-1.0-x86_64-apple-darwin.zip",
  });
  assert.deepEqual(chooseAssets("github:a/tool", "1.0", names, { asset: "*-{arch}-*-musl.tar.gz".replace("{arch}", "x86_64") })["linux-x64"], "tool-1.0-x86_64-unknown-linux-musl.tar.gz");
  assert.throws(() => chooseAssets("github:a/tool", "1.0", ["tool.deb", "checksums.txt"], {}), /no asset is a linux or darwin build/);
});

it("a sha256 upstream publishes nowhere is computed only where devenv may download (never under --frozen, CI or --offline)", async () => {
  const jq = records.get("jq")!;
  const release = { tag_name: "jq-1.6", assets: [{ name: "jq-linux64", digest: null }, { name: "jq-osx-amd64", digest: null }] };
  const { ctx, requests } = fakeContext({ "https://api.github.com/repos/jqlang/jq/releases/tags/jq-1.6": release });
  await assert.rejects(recordResolver("jq", jq).artifacts("1.6", ctx), /upstream publishes no sha256 for jq 1\.6 \(jq-osx-amd64\).*not under --frozen, --offline or CI/);
  assert.deepEqual(requests.map((r) => r.url), ["https://api.github.com/repos/jqlang/jq/releases/tags/jq-1.6"], "nothing downloaded");
  const hashed: string[] = [];
  const found = await recordResolver("jq", jq).artifacts("1.6", { ...ctx, hashOf: async (url) => (hashed.push(url), "a".repeat(64)) });
  assert.deepEqual(hashed, ["https://github.com/jqlang/jq/releases/download/jq-1.6/jq-osx-amd64", "https://github.com/jqlang/jq/releases/download/jq-1.6/jq-linux64"], "each asset once, darwin's two platforms sharing one");
  assert.deepEqual(Object.keys(found).sort(), ["darwin-arm64", "darwin-x64", "linux-x64"]);
  assert.equal(found["linux-x64"]!.sha256From, "computed");
});
