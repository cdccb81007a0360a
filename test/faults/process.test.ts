import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { removeTree } from "../../files/tree.js";
import { cleanEnv, devenv, devenvBin, nodeConfig, project, run, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { buildTarball, fakeNodeTarball } from "../support/tarball.js";
import { publishGo, publishNode, publishPython } from "../support/upstreams.js";
import { polyglotEnv, world } from "../support/world.js";
import { archivePath, assertStoreClean, entryDir, walk } from "./support.js";

let mirror: Mirror;
before(async () => {
  mirror = await Mirror.start();
  // Thousands of files: extraction takes long enough to be killed in the middle of it.
  publishNode(mirror, [{ version: "20.99.1", linuxX64: fakeNodeTarball("20.99.1", "linux-x64", 3000) }]);
});
after(() => mirror.close());

const completeFiles = () => 3000 + 9;

describe("process faults", () => {
  it("SIGKILL at any moment of install leaves no partial entry, and the next install succeeds and sweeps the leftovers", async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    mirror.faults.set(archivePath("20.99.1"), { delayMs: 400 });
    const entry = entryDir(home, mirror, "20.99.1");
    const archiveSize = mirror.files.get(archivePath("20.99.1"))!.length;
    const killedWhile = new Set<string>();
    try {
      for (let i = 0; i < 12; i++) {
        if (existsSync(entry)) await removeTree(entry);
        const child = spawn(devenvBin, ["install"], { cwd: dir, env, stdio: "ignore" });
        const closed = new Promise((resolve) => child.on("close", resolve));
        await new Promise((resolve) => setTimeout(resolve, 150 + i * 110));
        const tmp = existsSync(join(home, "tmp")) ? readdirSync(join(home, "tmp")) : [];
        // The archive is downloaded beside its tree (`<name>.XXXXXX.archive`), and unpacked into it as it arrives.
        const arriving = tmp.filter((t) => t.endsWith(".archive")).some((t) => statSync(join(home, "tmp", t), { throwIfNoEntry: false })?.size !== archiveSize);
        const trees = tmp.filter((t) => !t.endsWith(".archive"));
        killedWhile.add(existsSync(entry) ? "done" : arriving ? "downloading" : trees.some((t) => walk(join(home, "tmp", t)).length > 0) ? "extracting" : "starting");
        child.kill("SIGKILL");
        await closed;
        // Whatever the moment: the entry is absent or whole.
        if (existsSync(entry)) assert.equal(walk(entry).filter((p) => !p.endsWith("/")).length, completeFiles(), `iteration ${i}`);
      }
    } finally {
      mirror.faults.clear();
    }
    assert.ok(killedWhile.has("downloading") && killedWhile.has("extracting"), `killed while ${[...killedWhile].join(", ")}`);
    const next = await devenv(["run", "node"], { cwd: dir, env });
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stdout, "v20.99.1\n");
    assertStoreClean(home, [entry]);
  });

  it("a lock left by a killed install does not block the next one", { timeout: 15_000 }, async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    mirror.faults.set(archivePath("20.99.1"), { stall: true });
    const child = spawn(devenvBin, ["install"], { cwd: dir, env, stdio: "ignore" });
    const closed = new Promise((resolve) => child.on("close", resolve));
    const locks = join(home, "locks");
    while (!(existsSync(locks) && readdirSync(locks).some((l) => readFileSync(join(locks, l), "utf8").trim() === String(child.pid)))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGKILL");
    await closed;
    mirror.faults.clear();
    assert.equal(readdirSync(locks).length, 1, "the killed holder's lock is still there");
    const next = await devenv(["install"], { cwd: dir, env });
    assert.equal(next.code, 0, next.stderr);
    assertStoreClean(home, [entryDir(home, mirror, "20.99.1")]);
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal} while downloading or unpacking: exit ${code}, nothing left in the store or its temporary area`, async () => {
      const dir = project(nodeConfig("20"));
      const { env, home } = world(mirror);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      mirror.faults.set(archivePath("20.99.1"), { delayMs: 600 });
      let interrupted = 0;
      try {
        // After the archive was asked for (so devenv is running, its handlers set, however loaded the
        // machine): at once, while the mirror holds the body back, and later, while it unpacks.
        for (const wait of [0, 600]) {
          const hits = mirror.archiveHits();
          const child = spawn(devenvBin, ["install"], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
          let stderr = "";
          child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
          const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
          while (mirror.archiveHits() === hits && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
          await new Promise((resolve) => setTimeout(resolve, wait));
          child.kill(signal);
          const exit = await closed;
          if (exit === 0) continue; // finished before the signal: nothing to clean
          assert.equal(exit, code, stderr);
          assert.match(stderr, new RegExp(`^error: interrupted by ${signal}`, "m"));
          assertStoreClean(home);
          interrupted++;
        }
      } finally {
        mirror.faults.clear();
      }
      assert.ok(interrupted > 0, "at least one install was stopped half-way");
    });
  }

  it("eight processes installing the same three toolchains: all succeed, each archive is downloaded once", async () => {
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1" }], "/node");
      publishGo(m, [{ version: "1.22.99" }], "/go");
      publishPython(m, [{ tag: "20260301", builds: [{ version: "3.12.99" }] }]);
      const home = tempDir();
      const env = polyglotEnv(m, home);
      const dir = project(`export default { tools: { node: "20", go: "1.22", python: "3.12" } };\n`);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      const archives = [...m.files.keys()].filter((p) => p.endsWith("linux-x64.tar.gz") || p.endsWith("linux-amd64.tar.gz") || p.endsWith("x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"));
      assert.equal(archives.length, 3);
      for (const path of archives) m.faults.set(path, { delayMs: 1000 });
      const results = await Promise.all(Array.from({ length: 8 }, () => devenv(["install"], { cwd: dir, env })));
      results.forEach((r, i) => assert.equal(r.code, 0, `process ${i}: ${r.stderr}`));
      for (const path of archives) assert.equal(m.count(path), 1, path);
      assert.equal(readdirSync(join(home, "store")).length, 3);
      assert.equal((await devenv(["run", "go", "version"], { cwd: dir, env })).stdout, "go version go1.22.99 linux/amd64\n");
      assertStoreClean(home, readdirSync(join(home, "store")));
    } finally {
      await m.close();
    }
  });

  it("no space left on the device: a clear error, temporary files removed", async (t) => {
    const disk = tempDir("devenv-small-disk-");
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=400k", "tmpfs", disk]).status !== 0) {
      t.skip("cannot mount a tmpfs here (needs root)");
      return;
    }
    const m = await Mirror.start();
    try {
      const top = "node-v20.99.1-linux-x64";
      publishNode(m, [{ version: "20.99.1", linuxX64: buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o755, content: Buffer.alloc(2_000_000, "x") }]) }]);
      const home = join(disk, "devenv");
      const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: m.url });
      const result = await devenv(["install"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: cannot \w+ \/.*: ENOSPC$/m);
      assert.match(result.stderr, /^hint: free some disk space; `devenv gc` removes toolchains no project uses$/m);
      assertStoreClean(home);
    } finally {
      await m.close();
      spawnSync("umount", [disk]);
    }
  });

  it("a project on a full disk: devenv lock is one line, and no empty .devenv/.gitignore is left behind", async (t) => {
    const disk = tempDir("devenv-small-disk-");
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]).status !== 0) {
      t.skip("cannot mount a tmpfs here (needs root)");
      return;
    }
    try {
      const dir = join(disk, "app");
      mkdirSync(dir);
      writeFileSync(join(dir, "devenv.ts"), nodeConfig("20"));
      // Fill what is left, to the last block.
      spawnSync("sh", ["-c", `cat /dev/zero > '${join(disk, "filler")}'`]);
      const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /internal error/);
      assert.match(result.stderr, /^error: cannot \w+.*: ENOSPC$/m);
      assert.match(result.stderr, /^hint: free some disk space/m);
      const ignore = join(dir, ".devenv", ".gitignore");
      assert.ok(!existsSync(ignore) || readFileSync(ignore, "utf8") === "*\n", "no empty .gitignore");
    } finally {
      spawnSync("umount", [disk]);
    }
  });

  it("`devenv verify | true`: the reader gone, devenv stops quietly (no internal error for EPIPE)", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    const result = await run("bash", ["-c", `'${devenvBin}' verify | true; '${devenvBin}' verify | true`], { cwd: dir, env });
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stderr, /internal error|EPIPE/);
  });
});
