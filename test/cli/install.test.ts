import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const archivePath = (v: string) => `/v${v}/node-v${v}-linux-x64.tar.gz`;
const entryDir = (home: string, m: Mirror, v: string) => join(home, "store", `${sha256(m.files.get(archivePath(v))!).slice(0, 32)}-node-${v}`);

/** Everything below `dir`, as relative paths. */
function walk(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const rel = prefix + name;
    return lstatSync(path).isDirectory() ? [`${rel}/`, ...walk(path, `${rel}/`)] : [rel];
  });
}

describe("devenv install (SPEC §4)", () => {
  it("unpacks the archive, top directory stripped, into store/<sha256 prefix>-node-<version>, read-only", async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    const result = await devenv(["install"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /installed node 20\.99\.1/);
    const entry = entryDir(home, mirror, "20.99.1");
    assert.deepEqual(walk(entry).sort(), ["bin/", "bin/node", "bin/npm", "lib/", "lib/node_modules/", "lib/node_modules/npm/", "lib/node_modules/npm/bin/", "lib/node_modules/npm/bin/npm-cli.js"]);
    for (const path of ["", "bin", "bin/node", "lib/node_modules/npm/bin/npm-cli.js"]) {
      assert.equal(statSync(join(entry, path)).mode & 0o222, 0, `${path || "entry"} has no write bits`);
    }
    assert.equal(statSync(join(entry, "bin/node")).mode & 0o111, 0o111, "bin/node stays executable");
    assert.equal(readFileSync(join(entry, "bin/npm"), "utf8"), "#!/bin/sh\necho npm-for-node-20.99.1\n", "npm symlink resolves inside the entry");
    assert.deepEqual(readdirSync(join(home, "tmp")), [], "no temporary files left");
  });

  it("a second install makes zero archive requests", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    await devenv(["install"], { cwd: dir, env });
    const before = mirror.archiveHits();
    const again = await devenv(["install"], { cwd: dir, env });
    const run = await devenv(["run", "node"], { cwd: dir, env });
    assert.equal(again.code, 0);
    assert.equal(run.stdout, "v20.99.1\n");
    assert.equal(mirror.archiveHits(), before);
  });

  it("two concurrent installs of the same entry make one archive request and both succeed", async () => {
    const slow = await startMirror();
    try {
      slow.faults.set(archivePath("20.99.1"), { delayMs: 1500 });
      const dir = project(nodeConfig("20"));
      const w = world(slow);
      assert.equal((await devenv(["lock"], { cwd: dir, env: w.env })).code, 0);
      const [a, b] = await Promise.all([devenv(["install"], { cwd: dir, env: w.env }), devenv(["run", "node"], { cwd: dir, env: w.env })]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.stdout, "v20.99.1\n");
      assert.equal(slow.count(archivePath("20.99.1")), 1);
      assert.deepEqual(readdirSync(join(w.home, "tmp")), []);
    } finally {
      await slow.close();
    }
  });
});

describe("filesystem trouble is a one-line error naming the path, not a crash", () => {
  it("-C naming something that is not a directory (exit 2)", async () => {
    const result = await devenv(["-C", "/etc/passwd", "list"], { cwd: tempDir(), env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "error: -C /etc/passwd: not a directory\nhint: name the project directory, or a directory inside it\n");
  });

  it("a DEVENV_HOME that cannot be created", async () => {
    const result = await devenv(["install"], { cwd: project(nodeConfig("20")), env: { ...world(mirror).env, DEVENV_HOME: "/etc/passwd/devenv" } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot mkdir \/etc\/passwd\/devenv(\/[^:]+)?: ENOTDIR\nhint: a file is where devenv needs a directory/m);
  });

  it("a devenv.lock that is a directory", async () => {
    const dir = project(nodeConfig("20"));
    mkdirSync(join(dir, "devenv.lock"));
    const result = await devenv(["install"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `error: cannot read ${join(dir, "devenv.lock")}: EISDIR\nhint: a directory is where devenv needs a file; move it away\n`);
  });

  it("temporary trees left by a killed install of the same entry are swept by the next install", async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const leftover = join(home, "tmp", `${entryDir(home, mirror, "20.99.1").split("/").pop()}.dead01`);
    mkdirSync(join(leftover, "bin"), { recursive: true });
    writeFileSync(join(leftover, "bin", "node"), "half");
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    assert.deepEqual(readdirSync(join(home, "tmp")), []);
  });
});
