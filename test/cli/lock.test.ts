import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project } from "../support/cli.js";
import { sha256, type Mirror } from "../support/mirror.js";
import { publishNode } from "../support/upstreams.js";
import { standardNodeReleases, startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const readLockText = (dir: string) => readFileSync(join(dir, "devenv.lock"), "utf8");

describe("devenv lock (SPEC §3)", () => {
  it("records every platform upstream publishes, with canonical URLs and SHASUMS256 checksums, without downloading an archive", async () => {
    const dir = project(nodeConfig("20"));
    const archivesBefore = mirror.archiveHits();
    const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(mirror.archiveHits(), archivesBefore, "no archive was downloaded");
    const v = "20.99.1";
    const platform = (p: string) => {
      const file = `node-v${v}-${p}.tar.gz`;
      return `        "${p}": {\n          "sha256": "${sha256(mirror.files.get(`/v${v}/${file}`)!)}",\n          "url": "https://nodejs.org/dist/v${v}/${file}"\n        }`;
    };
    const expected = `{\n  "lockfileVersion": 1,\n  "tools": {\n    "node": {\n      "platforms": {\n${["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"].map(platform).join(",\n")}\n      },\n      "spec": "20",\n      "version": "${v}"\n    }\n  }\n}\n`;
    assert.equal(readLockText(dir), expected);
  });

  it("is byte-identical, and not rewritten, on re-run", async () => {
    const dir = project(nodeConfig("lts"));
    const { env } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const first = readLockText(dir);
    const firstStat = statSync(join(dir, "devenv.lock"));
    const again = await devenv(["lock"], { cwd: dir, env });
    assert.equal(again.code, 0);
    assert.equal(readLockText(dir), first);
    assert.equal(statSync(join(dir, "devenv.lock")).ino, firstStat.ino, "the file was not replaced");
    // A fresh clone elsewhere resolves the same bytes.
    const other = project(nodeConfig("lts"));
    await devenv(["lock"], { cwd: other, env: world(mirror).env });
    assert.equal(readLockText(other), first);
  });

  it("records only the platforms upstream publishes", async () => {
    const partial = await startMirror([{ version: "20.50.0", platforms: ["linux-x64", "darwin-arm64"] }]);
    try {
      const dir = project(nodeConfig("20"));
      const result = await devenv(["lock"], { cwd: dir, env: world(partial).env });
      assert.equal(result.code, 0, result.stderr);
      const lock = JSON.parse(readLockText(dir)) as { tools: { node: { platforms: object } } };
      assert.deepEqual(Object.keys(lock.tools.node.platforms), ["darwin-arm64", "linux-x64"]);
      assert.match(result.stderr, /^warning: node 20\.50\.0 has no archive for darwin-x64, linux-arm64: devenv\.lock works everywhere else$/m);
    } finally {
      await partial.close();
    }
  });

  it("re-resolves a changed spec, keeps the previous lock as a generation, and drops removed tools", async () => {
    const dir = project(nodeConfig("20.18"));
    const { env } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const old = readLockText(dir);
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("18"));
    const relock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(relock.code, 0, relock.stderr);
    assert.match(readLockText(dir), /"version": "18\.20\.9"/);
    assert.deepEqual(readdirSync(join(dir, ".devenv", "history")), ["1.lock"]);
    assert.equal(readFileSync(join(dir, ".devenv", "history", "1.lock"), "utf8"), old);
    assert.equal(readFileSync(join(dir, ".devenv", ".gitignore"), "utf8"), "*\n");
    writeFileSync(join(dir, "devenv.ts"), `export default { tools: {} };\n`);
    await devenv(["lock"], { cwd: dir, env });
    assert.equal(readLockText(dir), `{\n  "lockfileVersion": 1,\n  "tools": {}\n}\n`);
  });

  it("`devenv lock node` re-resolves a fresh entry; plain `devenv lock` keeps it", async () => {
    const moving = await startMirror(standardNodeReleases);
    try {
      const dir = project(nodeConfig("20"));
      const { env } = world(moving);
      await devenv(["lock"], { cwd: dir, env });
      publishNode(moving, [...standardNodeReleases, { version: "20.100.0", lts: "Iron" }]);
      await devenv(["lock"], { cwd: dir, env });
      assert.match(readLockText(dir), /"version": "20\.99\.1"/);
      const forced = await devenv(["lock", "node"], { cwd: dir, env });
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(readLockText(dir), /"version": "20\.100\.0"/);
      assert.match(forced.stderr, /locked node 20\.100\.0/);
      const unknown = await devenv(["lock", "go"], { cwd: dir, env });
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /go is not a tool of .*devenv\.ts/);
    } finally {
      await moving.close();
    }
  });

  it("keeps upstream indexes with their ETags: resolving again costs a 304, and --offline resolves from the cache", async () => {
    const cached = await startMirror(standardNodeReleases);
    try {
      const { env, home } = world(cached);
      await devenv(["lock"], { cwd: project(nodeConfig("20")), env });
      assert.equal(cached.count("/index.json"), 1);
      const again = project(nodeConfig("20"));
      assert.equal((await devenv(["lock"], { cwd: again, env })).code, 0);
      assert.equal(cached.count("/index.json"), 2);
      assert.equal(cached.notModified.get("/index.json"), 1, "revalidated, not downloaded");
      assert.ok(readdirSync(join(home, "cache", "http")).length >= 2);
      const requests = [...cached.hits.values()].reduce((a, b) => a + b, 0);
      const offline = project(nodeConfig("20"));
      const result = await devenv(["--offline", "lock"], { cwd: offline, env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readLockText(offline), readLockText(again));
      assert.equal([...cached.hits.values()].reduce((a, b) => a + b, 0), requests, "offline: no request at all");
      publishNode(cached, [...standardNodeReleases, { version: "20.100.0" }]);
      await devenv(["lock"], { cwd: project(nodeConfig("20")), env });
      const fresh = project(nodeConfig("20"));
      await devenv(["lock"], { cwd: fresh, env });
      assert.match(readLockText(fresh), /20\.100\.0/, "a changed index is downloaded again");
    } finally {
      await cached.close();
    }
  });

  it("an unsatisfiable spec fails with the nearest versions and writes no lock", async () => {
    const dir = project(nodeConfig("19"));
    const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: no node release matches "19"; nearest available: 20\.98\.0, 20\.18\.0, 18\.20\.9$/m);
    assert.match(result.stderr, /^hint: /m);
    assert.equal(existsSync(join(dir, "devenv.lock")), false);
  });
});

describe("a stale lock under --frozen or CI is an error listing the differences", () => {
  const staleProject = async () => {
    const dir = project(nodeConfig("20"));
    const w = world(mirror);
    await devenv(["lock"], { cwd: dir, env: w.env });
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("18"));
    return { dir, w, before: readLockText(dir) };
  };

  for (const [label, args, extra] of [
    ["--frozen", ["--frozen", "install"], {}],
    ["CI=true", ["install"], { CI: "true" }],
    ["CI=1 on run", ["run", "true"], { CI: "1" }],
  ] as const) {
    it(label, async () => {
      const { dir, w, before } = await staleProject();
      const result = await devenv(args, { cwd: dir, env: { ...w.env, ...extra } });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /devenv\.lock does not match devenv\.ts/);
      assert.match(result.stderr, /node is "18" in devenv\.ts but "20" in devenv\.lock/);
      assert.equal(readLockText(dir), before);
    });
  }

  it("a missing lock under --frozen names the tool", async () => {
    const dir = project(nodeConfig("20"));
    const result = await devenv(["--frozen", "install"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /node "20" is in devenv\.ts but not in devenv\.lock/);
    assert.equal(existsSync(join(dir, "devenv.lock")), false);
  });

  for (const value of ["0", "false", ""]) {
    it(`CI=${JSON.stringify(value)} does not freeze`, async () => {
      const { dir, w } = await staleProject();
      const result = await devenv(["install"], { cwd: dir, env: { ...w.env, CI: value } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(readLockText(dir), /"version": "18\.20\.9"/);
    });
  }

  it("a fresh lock passes --frozen", async () => {
    const dir = project(nodeConfig("20"));
    const w = world(mirror);
    await devenv(["lock"], { cwd: dir, env: w.env });
    const result = await devenv(["--frozen", "run", "node"], { cwd: dir, env: w.env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "v20.99.1\n");
  });
});
