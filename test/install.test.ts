import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "./support/cli.js";
import { Mirror, sha256 } from "./support/mirror.js";
import { publishNode } from "./support/upstreams.js";
import { buildTarball, type TarEntry } from "./support/tarball.js";
import { startMirror, world } from "./support/world.js";

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

describe("a bad download leaves nothing in the store", () => {
  for (const fault of ["corrupt", "truncate"] as const) {
    it(`${fault}: exit 1, one error naming the URL, nothing installed`, async () => {
      const bad = await startMirror();
      try {
        bad.faults.set(archivePath("20.99.1"), fault);
        const dir = project(nodeConfig("20"));
        const { env, home } = world(bad);
        const result = await devenv(["install"], { cwd: dir, env });
        assert.equal(result.code, 1, result.stderr);
        const url = `${bad.url}${archivePath("20.99.1")}`;
        if (fault === "corrupt") {
          const expected = sha256(bad.files.get(archivePath("20.99.1"))!);
          assert.match(result.stderr, new RegExp(`^error: checksum mismatch for ${url}: expected sha256 ${expected}, got [0-9a-f]{64}$`, "m"));
        } else {
          assert.match(result.stderr, new RegExp(`^error: download of ${url} (is truncated|broke off)`, "m"));
        }
        assert.match(result.stderr, /^hint: /m);
        assert.deepEqual(readdirSync(join(home, "store")), []);
        assert.deepEqual(readdirSync(join(home, "tmp")), []);
        // The fault gone, the next install succeeds.
        bad.faults.clear();
        assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
      } finally {
        await bad.close();
      }
    });
  }

  it("retries 503s with backoff, for metadata and archives alike", async () => {
    const flaky = await startMirror();
    try {
      flaky.faults.set("/index.json", { status: 503, times: 2 });
      flaky.faults.set(archivePath("20.99.1"), { status: 502, times: 1 });
      const dir = project(nodeConfig("20"));
      const result = await devenv(["run", "node"], { cwd: dir, env: world(flaky).env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "v20.99.1\n");
      assert.equal(flaky.count("/index.json"), 3);
      assert.equal(flaky.count(archivePath("20.99.1")), 2);
    } finally {
      await flaky.close();
    }
  });

  it("gives up after a bounded number of retries, naming the URL and the status", async () => {
    const down = await startMirror();
    try {
      down.faults.set("/index.json", { status: 503 });
      const result = await devenv(["lock"], { cwd: project(nodeConfig("20")), env: world(down).env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error: GET ${down.url}/index.json answered 503 after 4 attempts$`, "m"));
      assert.equal(down.count("/index.json"), 4);
    } finally {
      await down.close();
    }
  });

  it("an archive the mirror does not have: the lock points at a missing file", async () => {
    const dir = project(nodeConfig("20"));
    const w = world(mirror);
    await devenv(["lock"], { cwd: dir, env: w.env });
    const empty = await Mirror.start();
    try {
      const result = await devenv(["install"], { cwd: dir, env: { ...w.env, DEVENV_NODE_MIRROR: empty.url } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /answered 404: devenv\.lock points at node 20\.99\.1, which the mirror does not have/);
      assert.equal(empty.count(archivePath("20.99.1")), 1, "404 is not retried");
    } finally {
      await empty.close();
    }
  });

  it("--offline fails naming what is missing, and works with a warm store", async () => {
    const dir = project(nodeConfig("20"));
    const w = world(mirror);
    await devenv(["lock"], { cwd: dir, env: w.env });
    const before = mirror.archiveHits();
    const cold = await devenv(["--offline", "run", "node"], { cwd: dir, env: w.env });
    assert.equal(cold.code, 1);
    assert.match(cold.stderr, /node-v20\.99\.1-linux-x64\.tar\.gz is needed, but --offline forbids the network/);
    assert.equal(mirror.archiveHits(), before);
    await devenv(["install"], { cwd: dir, env: w.env });
    const warm = await devenv(["run", "node"], { cwd: dir, env: { ...w.env, DEVENV_OFFLINE: "1", DEVENV_NODE_MIRROR: "http://127.0.0.1:1" } });
    assert.equal(warm.code, 0, warm.stderr);
    assert.equal(warm.stdout, "v20.99.1\n");
  });
});

describe("hostile archives are refused, with nothing written outside the store", () => {
  const top = "node-v20.99.1-linux-x64";
  const outside = tempDir("devenv-outside-");
  const cases: Array<[string, TarEntry[], RegExp]> = [
    ["a ../ path", [{ path: `${top}/` }, { path: `${top}/../../../evil`, content: "pwned" }], /climbs out with '\.\.'/],
    ["an absolute path", [{ path: `${top}/` }, { path: `${outside}/evil`, content: "pwned" }], /has an absolute path/],
    ["a symlink pointing outside, then a file through it", [{ path: `${top}/` }, { path: `${top}/link`, type: "SymbolicLink", linkpath: outside }, { path: `${top}/link/evil`, content: "pwned" }], /links outside the entry/],
    ["a relative symlink climbing out", [{ path: `${top}/` }, { path: `${top}/bin/`, type: "Directory" }, { path: `${top}/bin/link`, type: "SymbolicLink", linkpath: "../../../../evil" }], /links outside the entry/],
    [
      "a chain of symlinks that only escapes on disk",
      [{ path: `${top}/` }, { path: `${top}/a/b/l`, type: "SymbolicLink", linkpath: "../.." }, { path: `${top}/bin/node`, type: "SymbolicLink", linkpath: "../a/b/l/../../../../../usr/bin/id" }],
      /links outside the entry/,
    ],
    ["a hard link to a file outside", [{ path: `${top}/` }, { path: `${top}/hard`, type: "Link", linkpath: "/etc/passwd" }], /hard-links outside the entry/],
    ["a device file", [{ path: `${top}/` }, { path: `${top}/dev`, type: "CharacterDevice" }], /is a CharacterDevice/],
    ["two top-level directories", [{ path: `${top}/` }, { path: `${top}/bin/node`, content: "x" }, { path: "other/evil", content: "pwned" }], /outside the archive's top-level directory/],
  ];
  for (const [name, entries, message] of cases) {
    it(name, async () => {
      const hostile = await startMirror([{ version: "20.99.1", linuxX64: buildTarball(entries) }]);
      try {
        const dir = project(nodeConfig("20"));
        const { env, home } = world(hostile);
        const result = await devenv(["install"], { cwd: dir, env });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /^error: refusing http:\/\/127\.0\.0\.1:\d+\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz: /m);
        assert.match(result.stderr, message);
        assert.deepEqual(walk(join(home, "store")), []);
        assert.deepEqual(walk(join(home, "tmp")), []);
        assert.deepEqual(walk(outside), []);
        assert.ok(!walk(home).some((p) => p.endsWith("evil")), "nothing named evil anywhere in DEVENV_HOME");
        assert.ok(!walk(dir).some((p) => p.endsWith("evil")));
      } finally {
        await hostile.close();
      }
    });
  }

  it("an archive whose paths start with ./ installs with its top directory stripped", async () => {
    const archive = buildTarball([{ path: `./${top}/` }, { path: `./${top}/bin/` }, { path: `./${top}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho dot-slash\n" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env: world(m).env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "dot-slash\n");
    } finally {
      await m.close();
    }
  });

  it("an archive without the toolchain's bin directory is refused, rather than leaving the system's tools to run", async () => {
    const archive = buildTarball([{ path: `${top}/` }, { path: `${top}/share/` }, { path: `${top}/share/doc`, content: "no binaries here" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const { env, home } = world(m);
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /unpacks without bin: it is not a node archive/);
      assert.deepEqual(walk(join(home, "store")), []);
    } finally {
      await m.close();
    }
  });

  it("setuid and setgid bits are dropped", async () => {
    const archive = buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o6777, content: "#!/bin/sh\necho v20.99.1\n" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const dir = project(nodeConfig("20"));
      const { env, home } = world(m);
      const result = await devenv(["run", "node"], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(statSync(join(entryDir(home, m, "20.99.1"), "bin/node")).mode & 0o7777, 0o555);
    } finally {
      await m.close();
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
    assert.match(result.stderr, /^error: cannot mkdir \/etc\/passwd\/devenv\/\w+: ENOTDIR\nhint: a file is where devenv needs a directory/m);
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
