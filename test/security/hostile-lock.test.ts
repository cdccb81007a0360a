import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { fakeNodeTarball } from "../support/tarball.js";
import { startMirror, world } from "../support/world.js";

/** The lock decides which upstream file and which sha256, never where devenv connects. */
let mirror: Mirror;
let evil: Mirror;
const canonical = "https://nodejs.org/dist/v20.99.1/node-v20.99.1-linux-x64.tar.gz";

before(async () => {
  mirror = await startMirror();
  evil = await Mirror.start();
  evil.files.set("/payload.tar.gz", fakeNodeTarball("66.6.6"));
});
after(() => Promise.all([mirror.close(), evil.close()]));

function locked() {
  const dir = project(nodeConfig("20"));
  const w = world(mirror);
  return { dir, ...w };
}

describe("a hostile devenv.lock", () => {
  it("pointing an entry at another server (with that file's sha256) is refused before any request, also under CI", async () => {
    const { dir, env } = locked();
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const lock = readFileSync(join(dir, "devenv.lock"), "utf8");
    const entry = JSON.parse(lock).tools.node.platforms["linux-x64"] as { sha256: string };
    const hostile = lock.replace(canonical, `${evil.url}/payload.tar.gz`).replace(entry.sha256, sha256(evil.files.get("/payload.tar.gz")!));
    writeFileSync(join(dir, "devenv.lock"), hostile);
    for (const [args, extra] of [[["run", "node"], {}], [["install", "--frozen"], { CI: "true" }], [["list"], {}]] as const) {
      const result = await devenv(args, { cwd: dir, env: { ...env, ...extra } });
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stdout}`);
      assert.match(result.stderr, /^error: .*devenv\.lock: tools\.node\.platforms\.linux-x64\.url "http:\/\/127\.0\.0\.1:\d+\/payload\.tar\.gz" is not where upstream publishes node 20\.99\.1 for linux-x64$/m);
    }
    assert.equal(evil.hits.size, 0, "the other server was never asked");
    assert.equal(readFileSync(join(dir, "devenv.lock"), "utf8"), hostile, "the lock is left as it is");
  });

  it("a damaged sha256 fails the install with a hint that repairs it, and `devenv lock node` does", async () => {
    const { dir, env } = locked();
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const good = readFileSync(join(dir, "devenv.lock"), "utf8");
    const sha = (JSON.parse(good).tools.node.platforms["linux-x64"] as { sha256: string }).sha256;
    writeFileSync(join(dir, "devenv.lock"), good.replace(sha, "0".repeat(64)));
    const failed = await devenv(["install"], { cwd: dir, env });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^error: checksum mismatch for /m);
    assert.match(failed.stderr, /^hint: .*`devenv lock node`$/m);
    const unchanged = await devenv(["lock"], { cwd: dir, env });
    assert.equal(unchanged.code, 0);
    assert.notEqual(readFileSync(join(dir, "devenv.lock"), "utf8"), good, "a plain `devenv lock` keeps a fresh-looking entry");
    const repaired = await devenv(["lock", "node"], { cwd: dir, env });
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.equal(readFileSync(join(dir, "devenv.lock"), "utf8"), good);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    const again = await devenv(["update", "node"], { cwd: dir, env });
    assert.match(again.stderr, /devenv\.lock is up to date/, "an entry that matches upstream is not a change");
  });

  it("a lock-only downgrade (another release's canonical URL and sha256 under the same spec) is stale: re-locked, and refused under --frozen", async () => {
    const { dir, env } = locked();
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("20.18.0"));
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const other = project(nodeConfig("18.20.9"));
    assert.equal((await devenv(["lock"], { cwd: other, env })).code, 0);
    const older = JSON.parse(readFileSync(join(other, "devenv.lock"), "utf8")) as { tools: { node: Record<string, unknown> } };
    const hostile = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { node: Record<string, unknown> } };
    hostile.tools.node = { ...older.tools.node, spec: "20.18.0" };
    writeFileSync(join(dir, "devenv.lock"), `${JSON.stringify(hostile, null, 2)}\n`);
    const frozen = await devenv(["install", "--frozen"], { cwd: dir, env: { ...env, CI: "true" } });
    assert.equal(frozen.code, 1, frozen.stderr);
    assert.match(frozen.stderr, /node 18\.20\.9 in devenv\.lock is not a "20\.18\.0" release, as devenv\.ts asks/);
    const ran = await devenv(["run", "node", "--version"], { cwd: dir, env });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "v20.18.0\n");
    assert.match(readFileSync(join(dir, "devenv.lock"), "utf8"), /"version": "20\.18\.0"/);
  });

  it("a checksum file a mirror once served wrong is not believed for good: `devenv lock node` asks again and repairs the lock", async () => {
    const m = await startMirror();
    try {
      const { env } = world(m);
      const dir = project(nodeConfig("20"));
      const path = "/v20.99.1/SHASUMS256.txt";
      const good = m.files.get(path)!;
      const real = /^([0-9a-f]{64})  node-v20\.99\.1-linux-x64\.tar\.gz$/m.exec(good.toString())![1]!;
      m.files.set(path, Buffer.from(good.toString().replace(real, "d".repeat(64))));
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      assert.match(readFileSync(join(dir, "devenv.lock"), "utf8"), /"sha256": "d{64}"/);
      const failed = await devenv(["install"], { cwd: dir, env });
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /^hint: .*`devenv lock node`$/m);
      m.files.set(path, good);
      const before = m.count(path);
      const repaired = await devenv(["lock", "node"], { cwd: dir, env });
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.equal(m.count(path), before + 1, "the checksum file was asked for again");
      assert.match(readFileSync(join(dir, "devenv.lock"), "utf8"), new RegExp(`"sha256": "${real}"`));
      assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    } finally {
      await m.close();
    }
  });

  it("concurrent rewrites of devenv.lock take turns: eight rollbacks at once keep eight generations", async () => {
    const { dir, env } = locked();
    for (const spec of ["18", "20", "22"]) {
      writeFileSync(join(dir, "devenv.ts"), nodeConfig(spec));
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    }
    const history = () => readdirSync(join(dir, ".devenv", "history")).length;
    assert.equal(history(), 2);
    const results = await Promise.all(Array.from({ length: 8 }, () => devenv(["rollback"], { cwd: dir, env })));
    results.forEach((r, i) => assert.equal(r.code, 0, `rollback ${i}: ${r.stderr}`));
    assert.equal(history(), 10, "each rollback kept the lock it replaced");
    // Rollbacks alternate between the two newest locks: eight of them end where they began.
    assert.equal((JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { node: { version: string } } }).tools.node.version, "22.1.0");
  });
});
