import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, devenvBin, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { publishGo, publishNode } from "../support/upstreams.js";
import { polyglotEnv, standardNodeReleases, startMirror, world } from "../support/world.js";

const lockOf = (dir: string) => readFileSync(join(dir, "devenv.lock"), "utf8");
const versionOf = (dir: string, tool = "node") => (JSON.parse(lockOf(dir)) as { tools: Record<string, { version: string }> }).tools[tool]?.version;

describe("update and rollback", () => {
  let mirror: Mirror;
  before(async () => (mirror = await startMirror()));
  after(() => mirror.close());

  it("update picks a newer release; rollback restores the old lock's bytes and runs the old version with zero downloads", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    const old = lockOf(dir);

    publishNode(mirror, [...standardNodeReleases, { version: "20.100.0", lts: "Iron" }]);
    const update = await devenv(["update"], { cwd: dir, env });
    assert.equal(update.code, 0, update.stderr);
    assert.equal(update.stdout, "node 20.99.1 -> 20.100.0\n");
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.100.0\n");

    const updated = statSync(join(dir, "devenv.lock"));
    const again = await devenv(["update", "node"], { cwd: dir, env });
    assert.equal(again.code, 0);
    assert.equal(again.stdout, "");
    assert.match(again.stderr, /devenv\.lock is up to date/);
    assert.equal(statSync(join(dir, "devenv.lock")).mtimeMs, updated.mtimeMs, "lock untouched");

    const list = await devenv(["rollback", "--list"], { cwd: dir, env });
    assert.match(list.stdout, /^1 {7}[\d: -]{16} {2}node 20\.99\.1 \("20"\)\ncurrent now {15}node 20\.100\.0 \("20"\)\n$/);

    const downloads = mirror.archiveHits();
    const rollback = await devenv(["rollback"], { cwd: dir, env });
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.equal(lockOf(dir), old, "the old lock, byte for byte");
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    assert.equal(mirror.archiveHits(), downloads, "no download");

    assert.match((await devenv(["rollback", "--list"], { cwd: dir, env })).stdout, /^1 {7}[\d: -]{16} {2}node 20\.99\.1 \("20"\)\n2 {7}[\d: -]{16} {2}node 20\.100\.0 \("20"\)\ncurrent now {15}node 20\.99\.1 \("20"\)\n$/);
    assert.equal((await devenv(["rollback", "2"], { cwd: dir, env })).code, 0);
    assert.equal(versionOf(dir), "20.100.0");
    const missing = await devenv(["rollback", "9"], { cwd: dir, env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no generation 9; there are 1, 2, 3/);
    publishNode(mirror, standardNodeReleases);
  });

  it("rollback without generations says so; update of a tool not in devenv.ts is a usage error", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const rollback = await devenv(["rollback"], { cwd: dir, env });
    assert.equal(rollback.code, 2);
    assert.match(rollback.stderr, /devenv\.lock has no earlier generations/);
    const update = await devenv(["update", "python"], { cwd: dir, env });
    assert.equal(update.code, 2);
    assert.match(update.stderr, /python is not a tool of/);
  });

  it("update under --frozen or CI is refused and the lock stays", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const before = lockOf(dir);
    const result = await devenv(["update"], { cwd: dir, env: { ...env, CI: "true" } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /may not change under --frozen \(or CI\)/);
    assert.equal(lockOf(dir), before);
  });
});

describe("lock TOOL with several tools", () => {
  it("re-resolves just that tool; the other entries stay byte-identical", async () => {
    const mirror = await Mirror.start();
    try {
      publishNode(mirror, standardNodeReleases, "/node");
      publishGo(mirror, [{ version: "1.22.99" }], "/go");
      const dir = project(`export default { tools: { node: "20", go: "1.22" } };\n`);
      const home = tempDir();
      const env = polyglotEnv(mirror, home);
      await devenv(["lock"], { cwd: dir, env });
      const goEntry = (text: string) => JSON.stringify((JSON.parse(text) as { tools: { go: unknown } }).tools.go);
      const before = lockOf(dir);
      publishNode(mirror, [...standardNodeReleases, { version: "20.100.0" }], "/node");
      publishGo(mirror, [{ version: "1.22.100" }, { version: "1.22.99" }], "/go");
      assert.equal((await devenv(["lock", "node"], { cwd: dir, env })).code, 0);
      assert.equal(versionOf(dir), "20.100.0");
      assert.equal(goEntry(lockOf(dir)), goEntry(before));
      assert.equal(lockOf(dir).split("\n").filter((line) => !before.includes(line)).every((line) => /20\.100\.0|sha256/.test(line)), true);
    } finally {
      await mirror.close();
    }
  });
});

describe("an interrupted update", () => {
  it("killed with SIGKILL at random points, leaves the old lock or the new one, and no temporary file in the project", async () => {
    const mirror = await startMirror();
    try {
      const dir = project(nodeConfig("20"));
      const { env } = world(mirror);
      await devenv(["lock"], { cwd: dir, env });
      const oldText = lockOf(dir);
      publishNode(mirror, [...standardNodeReleases, { version: "20.100.0" }]);
      const finished = await devenv(["update"], { cwd: dir, env });
      assert.equal(finished.code, 0);
      const newText = lockOf(dir);
      for (let i = 0; i < 24; i++) {
        writeFileSync(join(dir, "devenv.lock"), oldText);
        const child = spawn(devenvBin, ["update"], { cwd: dir, env, stdio: "ignore" });
        // Listening from the start: a fast update may finish before the kill.
        const closed = new Promise((resolve) => child.on("close", resolve));
        await new Promise((resolve) => setTimeout(resolve, 60 + ((i * 37) % 400)));
        child.kill("SIGKILL");
        await closed;
        const text = lockOf(dir);
        assert.ok(text === oldText || text === newText, `iteration ${i}: a mixed or empty lock:\n${text}`);
        assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith(".tmp")), []);
      }
      // The next write sweeps temporary files of killed writers from .devenv/tmp.
      writeFileSync(join(dir, "devenv.lock"), oldText);
      assert.equal((await devenv(["update"], { cwd: dir, env })).code, 0);
      assert.deepEqual(readdirSync(join(dir, ".devenv", "tmp")), []);
    } finally {
      await mirror.close();
    }
  });
});

describe("devenv gc", () => {
  it("removes what only a deleted project used, keeps shared entries and history generations; --dry-run removes nothing", async () => {
    const mirror = await Mirror.start();
    try {
      publishNode(mirror, standardNodeReleases, "/node");
      publishGo(mirror, [{ version: "1.22.99" }], "/go");
      const home = tempDir();
      const env = polyglotEnv(mirror, home);
      const entry = (tool: string, version: string, path: string) => `${sha256(mirror.files.get(path)!).slice(0, 32)}-${tool}-${version}`;
      const node20 = entry("node", "20.99.1", "/node/v20.99.1/node-v20.99.1-linux-x64.tar.gz");
      const node18 = entry("node", "18.20.9", "/node/v18.20.9/node-v18.20.9-linux-x64.tar.gz");
      const go = entry("go", "1.22.99", "/go/go1.22.99.linux-amd64.tar.gz");

      // A used node 18 before moving to 20: 18 lives on in A's history.
      const a = project(nodeConfig("18"));
      assert.equal((await devenv(["install"], { cwd: a, env })).code, 0);
      writeFileSync(join(a, "devenv.ts"), nodeConfig("20"));
      assert.equal((await devenv(["install"], { cwd: a, env })).code, 0);
      const b = project(`export default { tools: { node: "20", go: "1.22" } };\n`);
      assert.equal((await devenv(["install"], { cwd: b, env })).code, 0);
      mkdirSync(join(home, "tmp", `${go}.killed1`), { recursive: true });
      assert.deepEqual(readdirSync(join(home, "store")).sort(), [node20, node18, go].sort());

      rmSync(b, { recursive: true, force: true });
      const dry = await devenv(["gc", "--dry-run"], { cwd: tempDir(), env });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`^would remove ${go} \\(\\d+\\.\\d MB\\)$`, "m"));
      assert.match(dry.stdout, new RegExp(`^would remove root ${b} \\(project or lock gone\\)$`, "m"));
      assert.match(dry.stdout, /^would free \d+\.\d MB in 1 entry$/m);
      assert.equal(readdirSync(join(home, "store")).length, 3, "dry run removes nothing");

      const gc = await devenv(["gc"], { cwd: tempDir(), env });
      assert.equal(gc.code, 0, gc.stderr);
      assert.match(gc.stdout, new RegExp(`^removed ${go} `, "m"));
      assert.match(gc.stdout, new RegExp(`^removed leftover tmp/${go}\\.killed1$`, "m"));
      assert.match(gc.stdout, /^freed \d+\.\d MB in 1 entry$/m);
      assert.deepEqual(readdirSync(join(home, "store")).sort(), [node20, node18].sort());
      assert.deepEqual(readdirSync(join(home, "tmp")), []);
      assert.equal(readdirSync(join(home, "roots")).length, 1);

      // A's rollback still works offline: node 18 was kept for its history.
      assert.equal((await devenv(["rollback"], { cwd: a, env })).code, 0);
      writeFileSync(join(a, "devenv.ts"), nodeConfig("18"));
      assert.equal((await devenv(["--offline", "run", "node"], { cwd: a, env })).stdout, "v18.20.9\n");
      assert.equal((await devenv(["gc"], { cwd: tempDir(), env })).stdout, "freed 0.0 MB in 0 entries\n");
      assert.ok(existsSync(join(home, "store", node20)), "node 20 is in A's history now");
    } finally {
      await mirror.close();
    }
  });
});

describe("devenv cache-key", () => {
  it("changes exactly when this platform's locked archives do", async () => {
    const mirror = await startMirror();
    try {
      const dir = project(nodeConfig("20"));
      const { env } = world(mirror);
      await devenv(["lock"], { cwd: dir, env });
      const key = async () => (await devenv(["cache-key"], { cwd: dir, env })).stdout;
      const first = await key();
      assert.match(first, /^devenv-linux-x64-[0-9a-f]{24}\n$/);
      const lock = JSON.parse(lockOf(dir)) as { tools: { node: { platforms: Record<string, { sha256: string }> } } };
      lock.tools.node.platforms["darwin-arm64"]!.sha256 = "f".repeat(64);
      writeFileSync(join(dir, "devenv.lock"), JSON.stringify(lock));
      assert.equal(await key(), first, "another platform's archive does not matter");
      lock.tools.node.platforms["linux-x64"]!.sha256 = "e".repeat(64);
      writeFileSync(join(dir, "devenv.lock"), JSON.stringify(lock));
      assert.notEqual(await key(), first);
    } finally {
      await mirror.close();
    }
  });
});

describe("devenv gc after a CI cache restored store/ alone", () => {
  it("works: no 'internal error' for the locks' directory it never had", async () => {
    const mirror = await Mirror.start();
    try {
      publishNode(mirror, standardNodeReleases, "/node");
      const home = tempDir();
      const env = polyglotEnv(mirror, home);
      const used = project(nodeConfig("20"));
      assert.equal((await devenv(["install"], { cwd: used, env })).code, 0);
      // What action.yml caches is DEVENV_HOME/store: a later job starts with that and nothing else.
      for (const name of readdirSync(home)) if (name !== "store") rmSync(join(home, name), { recursive: true, force: true });
      const result = await devenv(["gc"], { cwd: tempDir(), env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^freed .* in 1 entry$/m);
    } finally {
      await mirror.close();
    }
  });
});

describe("devenv gc and what older versions left in DEVENV_HOME", () => {
  it("removes cache/compile (V8's compiled code, no longer kept), and --dry-run leaves it", async () => {
    const home = tempDir("devenv-home-");
    const env = cleanEnv({ DEVENV_HOME: home });
    mkdirSync(join(home, "cache", "compile", "v22"), { recursive: true });
    writeFileSync(join(home, "cache", "compile", "v22", "entry"), "x");
    assert.equal((await devenv(["gc", "--dry-run"], { cwd: tempDir(), env })).code, 0);
    assert.ok(existsSync(join(home, "cache", "compile")));
    assert.equal((await devenv(["gc"], { cwd: tempDir(), env })).code, 0);
    assert.equal(existsSync(join(home, "cache", "compile")), false);
  });
});
