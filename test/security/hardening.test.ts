import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, nodeConfig, project, run, tempDir } from "../support/cli.js";
import { recordingLauncher } from "../support/launcher.js";
import { Mirror } from "../support/mirror.js";
import { buildTarball } from "../support/tarball.js";
import { publishNode } from "../support/upstreams.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

function installed(config = nodeConfig("20")) {
  const dir = project(config);
  const w = world(mirror);
  return { dir, ...w };
}

describe("another local user's DEVENV_HOME, or one others can write, is refused (as ssh's StrictModes)", () => {
  for (const [name, spoil] of [
    ["owned by another user", (dir: string) => chownSync(dir, 4242, 4242)],
    ["writable by every user", (dir: string) => chmodSync(dir, 0o777)],
    ["writable by its group", (dir: string) => chmodSync(dir, 0o770)],
  ] as const) {
    for (const inside of ["", "store", "trust", "tmp", "locks"]) {
      it(`${inside === "" ? "DEVENV_HOME" : `DEVENV_HOME/${inside}`} ${name}: one line and the fix, nothing run or written`, { skip: name.startsWith("owned") && process.getuid?.() !== 0 && "needs root to give a directory away" }, async () => {
        const { dir, env, home } = installed();
        mkdirSync(join(home, inside), { recursive: true });
        spoil(join(home, inside));
        const result = await devenv(["run", "node", "--version"], { cwd: dir, env });
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, new RegExp(`^error: ${join(home, inside).replace(/\/$/, "")} is (owned by uid 4242|writable by (every user|its group)): another user could plant toolchains or trust there\nhint: .*(chown|chmod go-w).*DEVENV_HOME`, "m"));
        assert.equal(existsSync(join(dir, "devenv.lock")), false, "nothing written");
      });
    }
  }

  it("a DEVENV_HOME devenv creates is its user's alone (0700)", async () => {
    const { dir, env } = installed();
    const home = join(tempDir("devenv-parent-"), "new-home");
    assert.equal((await devenv(["lock"], { cwd: dir, env: { ...env, DEVENV_HOME: home } })).code, 0);
    assert.equal(statSync(home).mode & 0o777, 0o700);
  });

  it("a relative XDG_CACHE_HOME is ignored (the XDG spec): a trust record shipped in the repository is never read", async () => {
    const { dir, env } = installed();
    const userHome = tempDir("devenv-user-home-");
    const relative = Object.fromEntries(Object.entries({ ...env, HOME: userHome, XDG_CACHE_HOME: ".cache" }).filter(([name]) => name !== "DEVENV_HOME" && name !== "DEVENV_TRUST"));
    // What a hostile repository would ship: a whole DEVENV_HOME, trust records included, at ./.cache/devenv.
    const shipped = join(dir, ".cache", "devenv");
    const trusting = await devenv(["trust"], { cwd: dir, env: { ...env, DEVENV_HOME: shipped } });
    assert.equal(trusting.code, 0, trusting.stderr);
    const result = await devenv(["lock"], { cwd: dir, env: relative });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /not trusted/);
    assert.equal(existsSync(join(dir, "devenv.lock")), false);
    assert.ok(existsSync(join(userHome, ".cache", "devenv")), "the default DEVENV_HOME under HOME was used");
  });
});

describe("what a damaged store, a read-only DEVENV_HOME or an odd setting cannot do", () => {
  it("a store entry that lost its binary never lets the system's tool run: not on the hot path, not through Node.js", async () => {
    const { dir, env, home } = installed();
    const launcher = recordingLauncher();
    const hot = (args: string[]) => run(launcher.bin, args, { cwd: dir, env });
    assert.equal((await hot(["run", "node"])).stdout, "v20.99.1\n");
    const [entry] = readdirSync(join(home, "store"));
    const bin = join(home, "store", entry!, "bin");
    chmodSync(bin, 0o755);
    rmSync(join(bin, "node"));
    const result = await hot(["run", "node"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /^error: .*\/bin\/node is missing from the store: node 20\.99\.1 was modified after it was installed\nhint: run `devenv verify --repair` to reinstall it$/m);
    assert.equal(launcher.nodeStarts(), 2, "the launcher did not answer");
  });

  it("a read-only DEVENV_HOME, fully installed, still serves run and env", { skip: process.getuid?.() !== 0 && "needs root to mount" }, async (t) => {
    const { dir, env, home } = installed();
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    rmSync(join(home, "projects"), { recursive: true, force: true });
    if (spawnSync("mount", ["--bind", home, home]).status !== 0) return void t.skip("cannot bind-mount here");
    if (spawnSync("mount", ["-o", "remount,ro,bind", home]).status !== 0) {
      spawnSync("umount", [home]);
      return void t.skip("cannot remount read-only here");
    }
    try {
      assert.throws(() => writeFileSync(join(home, "probe"), ""), /EROFS/);
      for (const args of [["run", "node"], ["env", "--shell", "json"], ["which", "node"]]) {
        const result = await devenv(args, { cwd: dir, env });
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      }
    } finally {
      spawnSync("umount", [home]);
    }
  });

  it("gc: another project's broken lock is a warning, not a stop; a project that moved keeps its toolchains when gc runs in it", async () => {
    const { dir, env, home } = installed();
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    const broken = installed(nodeConfig("18"));
    assert.equal((await devenv(["install"], { cwd: broken.dir, env })).code, 0);
    writeFileSync(join(broken.dir, "devenv.lock"), "{ not json");
    const moved = join(tempDir("devenv-project-"), "moved");
    renameSync(dir, moved);
    const gc = await devenv(["gc"], { cwd: moved, env });
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stderr, new RegExp(`^warning: ${broken.dir}: .*not valid JSON.*; only its lock generations kept toolchains$`, "m"));
    assert.equal((await devenv(["run", "node"], { cwd: moved, env })).stdout, "v20.99.1\n");
    assert.ok(readdirSync(join(home, "store")).some((e) => e.endsWith("-node-20.99.1")));
  });

  it("a relative DEVENV_HOME is refused: it would name a place inside whatever repository devenv runs in", async () => {
    const { dir, env } = installed();
    const result = await devenv(["lock"], { cwd: dir, env: { ...env, DEVENV_HOME: ".devenv-home" } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: DEVENV_HOME=\.devenv-home is a relative path$/m);
  });

  it("an env value with a NUL is a config error naming it, not an internal error", async () => {
    const { dir, env } = installed(nodeConfig("20", `, env: { BAD: "a\\0b" }`));
    const result = await devenv(["run", "true"], { cwd: dir, env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: .*devenv\.ts: env\.BAD = .*: holds a NUL character/m);
  });

  it("what devenv writes under .devenv/ is for this user alone", async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("18"));
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const state = join(dir, ".devenv");
    assert.equal(statSync(state).mode & 0o077, 0);
    for (const file of [".gitignore", "history/1.lock"]) assert.equal(statSync(join(state, file)).mode & 0o077, 0, file);
  });

  it("the hot path leaves the user's variables as they were, whatever their names, and passes none of its own", async () => {
    const { dir, env } = installed();
    const launcher = recordingLauncher();
    const mine = { home: "H", root: "R", dir: "D", key: "K", first: "F", state: "S", cmd: "C", n: "N", cache: "X" };
    const show = ["run", "sh", "-c", 'echo "$home $root $dir $key $first $state $cmd $n $cache"; env | grep -c "^_dv_" || true'];
    assert.equal((await run(launcher.bin, ["run", "true"], { cwd: dir, env })).code, 0);
    const result = await run(launcher.bin, show, { cwd: dir, env: { ...env, ...mine } });
    assert.equal(result.stdout, "H R D K F S C N X\n0\n");
    assert.equal(launcher.nodeStarts(), 1, "answered by the hot path");
  });

  it("an install waiting behind a twin says for whom and how long", async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    mirror.faults.set("/v20.99.1/node-v20.99.1-linux-x64.tar.gz", { delayMs: 2500 });
    try {
      const first = devenv(["install"], { cwd: dir, env });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = await devenv(["install"], { cwd: dir, env });
      assert.equal((await first).code, 0);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /^waiting for process \d+, which is installing node 20\.99\.1 \(1 s so far\)$/m);
    } finally {
      mirror.faults.clear();
    }
  });

  it("a gzip bomb served for a locked archive is refused on its checksum before a byte of it is unpacked", { skip: process.getuid?.() !== 0 && "needs root to mount a small disk" }, async (t) => {
    const disk = tempDir("devenv-small-disk-");
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=20m", "tmpfs", disk]).status !== 0) return void t.skip("cannot mount a tmpfs here");
    const bomb = await Mirror.start();
    try {
      publishNode(bomb, [{ version: "20.99.1" }]);
      const home = join(disk, "devenv");
      const dir = project(nodeConfig("20"));
      const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: bomb.url });
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      // 200 MB of zeros in one file: about 200 KB once compressed, ten times the disk once unpacked.
      const top = "node-v20.99.1-linux-x64";
      bomb.files.set("/v20.99.1/node-v20.99.1-linux-x64.tar.gz", buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o755, content: Buffer.alloc(200e6) }]));
      const result = await devenv(["install"], { cwd: dir, env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: checksum mismatch for /m, "not ENOSPC: nothing was unpacked");
      assert.deepEqual(readdirSync(join(home, "tmp")), []);
    } finally {
      await bomb.close();
      spawnSync("umount", [disk]);
    }
  });

  it("reached through a symbolic link, a project is the same project for the launcher and for Node.js", async () => {
    const { dir, env } = installed();
    mkdirSync(join(dir, "sub"));
    const elsewhere = tempDir("devenv-link-");
    symlinkSync(join(dir, "sub"), join(elsewhere, "into-project"));
    const launcher = recordingLauncher();
    const here = join(elsewhere, "into-project");
    const cold = await devenv(["run", "sh", "-c", 'echo "$DEVENV_ROOT"'], { cwd: here, env });
    assert.equal(cold.stdout, `${dir}\n`, cold.stderr);
    assert.equal((await run(launcher.bin, ["run", "sh", "-c", 'echo "$DEVENV_ROOT"'], { cwd: here, env })).stdout, `${dir}\n`);
    assert.equal(launcher.nodeStarts(), 0, "the launcher found the cache the CLI wrote for the same project");
  });

  it("a path longer than the filesystem allows is one line naming it, not an internal error", async () => {
    const { dir, env } = installed();
    const result = await devenv(["install"], { cwd: dir, env: { ...env, DEVENV_HOME: join(tempDir("devenv-long-"), "x".repeat(300)) } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot mkdir .*x{300}.*: ENAMETOOLONG\nhint: the path is longer than this filesystem allows/m);
  });
});

describe("every file devenv reads from a project is a regular file, read only up to its limit", () => {
  // Each of these read /dev/zero until memory ran out: a timeout here is the failure.
  const opts = { timeout: 30_000 };

  it("devenv.lock linked to /dev/zero: one line, at once", opts, async () => {
    const { dir, env } = installed();
    symlinkSync("/dev/zero", join(dir, "devenv.lock"));
    const result = await devenv(["list"], { cwd: dir, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: .*devenv\.lock is not a regular file \(a device, pipe or socket, or a link to one\)\nhint: restore it/m);
  });

  it("a lock generation linked to /dev/zero: gc in any project passes over it, as over a damaged one", opts, async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    mkdirSync(join(dir, ".devenv", "history"), { recursive: true });
    symlinkSync("/dev/zero", join(dir, ".devenv", "history", "1.lock"));
    const other = project(nodeConfig("20"));
    const result = await devenv(["gc", "--dry-run"], { cwd: other, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout + result.stderr, /would free/);
  });

  it("an import of a file linked to /dev/zero, and one of a named pipe: a config error naming it", opts, async () => {
    const { dir, env } = installed(`import data from "./z.txt";\nexport default { tools: { node: "20" }, env: { N: String(data.length) } };\n`);
    symlinkSync("/dev/zero", join(dir, "z.txt"));
    const zero = await devenv(["env", "--shell", "json"], { cwd: dir, env });
    assert.equal(zero.code, 2, zero.stdout);
    assert.match(zero.stderr, /^error: cannot load .*devenv\.ts: \/dev\/zero is not a regular file \(a device, pipe or socket, or a link to one\) \(line 1, column 18\)$/m);
    rmSync(join(dir, "z.txt"));
    assert.equal(spawnSync("mkfifo", [join(dir, "z.txt")]).status, 0);
    const pipe = await devenv(["env", "--shell", "json"], { cwd: dir, env });
    assert.equal(pipe.code, 2, pipe.stdout);
    assert.match(pipe.stderr, /z\.txt is not a regular file/);
  });

  it("init passes over a pin file linked to /dev/zero or a pipe, saying so", opts, async () => {
    const dir = tempDir("devenv-pins-");
    symlinkSync("/dev/zero", join(dir, ".nvmrc"));
    assert.equal(spawnSync("mkfifo", [join(dir, ".python-version")]).status, 0);
    writeFileSync(join(dir, "go.mod"), "module x\n\ngo 1.22\n");
    const result = await devenv(["init"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir() }) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /ignoring \.nvmrc: .*not a regular file/);
    assert.match(result.stderr, /ignoring \.python-version: .*not a regular file/);
    assert.match(result.stderr, /go ">=1\.22" from go\.mod/);
  });
});

describe("a project path PATH cannot hold", () => {
  it("a ':' in the project's path is one line, before anything turns it into relative PATH entries", async () => {
    const parent = tempDir("devenv-colon-");
    const dir = join(parent, "co:lon");
    mkdirSync(join(parent, "lon", ".devenv", "node", "corepack"), { recursive: true });
    // What a relative entry `lon/.devenv/node/corepack` would find, run from the parent directory.
    writeFileSync(join(parent, "lon", ".devenv", "node", "corepack", "node"), "#!/bin/sh\necho shadowed\n", { mode: 0o755 });
    mkdirSync(dir);
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("20"));
    const { env } = world(mirror);
    for (const args of [["run", "node", "--version"], ["env", "--shell", "json"]]) {
      const result = await devenv(args, { cwd: dir, env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stdout}`);
      assert.match(result.stderr, /^error: the project's path .*co:lon holds ":", which PATH cannot hold\nhint: move or rename the directory/m);
    }
  });
});

describe("push credentials", () => {
  it("go to the registry's origin only: an upload Location on another host or scheme gets none", async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    const secret = `Basic ${Buffer.from("ci-bot:push-secret").toString("base64")}`;
    // Where a hostile (or merely odd) registry sends the upload: it records what it was sent.
    const seen: Array<string | undefined> = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on("end", () => res.writeHead(201).end());
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const other = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;
    const registry = createServer((req, res) => {
      req.resume();
      if (req.headers.authorization !== secret) return void res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
      if (req.method === "HEAD") return void res.writeHead(404).end();
      if (req.method === "POST") return void res.writeHead(202, { location: `${other}/upload/1` }).end();
      res.writeHead(201).end();
    });
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    try {
      const cache = `oci+http://127.0.0.1:${(registry.address() as AddressInfo).port}/team/devenv`;
      const pushed = await devenv(["cache", "push", "--to", cache], { cwd: dir, env: { ...env, DEVENV_CACHE_USER: "ci-bot", DEVENV_CACHE_PASSWORD: "push-secret" } });
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.ok(seen.length >= 2, `the uploads went to the Location (${seen.length})`);
      assert.deepEqual(seen.filter((header) => header !== undefined), [], "no credentials reached the other host");
    } finally {
      for (const server of [registry, elsewhere]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});

describe("an oci-layout: team cache", () => {
  it("a blob linked to /dev/zero is passed over as a miss, not copied until the disk is full", { timeout: 30_000 }, async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const sha = (JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { node: { platforms: Record<string, { sha256: string }> } } }).tools.node.platforms["linux-x64"]!.sha256;
    const layout = tempDir("devenv-layout-");
    mkdirSync(join(layout, "blobs", "sha256"), { recursive: true });
    symlinkSync("/dev/zero", join(layout, "blobs", "sha256", sha));
    const result = await devenv(["-v", "run", "node", "--version"], { cwd: dir, env: { ...env, DEVENV_CACHE: `oci-layout:${layout}` } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "v20.99.1\n");
    assert.match(result.stderr, /is not a regular file/);
  });
});

describe("a push that fails", () => {
  it("names the method that failed: a PUT the registry drops is not a GET", async () => {
    const { dir, env } = installed();
    assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
    const registry = createServer((req, res) => {
      req.resume();
      if (req.method === "HEAD") return void res.writeHead(404).end();
      if (req.method === "POST") return void res.writeHead(202, { location: "/v2/team/devenv/blobs/uploads/1" }).end();
      if (req.method === "PUT") return void req.socket.destroy();
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    try {
      const cache = `oci+http://127.0.0.1:${(registry.address() as AddressInfo).port}/team/devenv`;
      const pushed = await devenv(["cache", "push", "--to", cache], { cwd: dir, env });
      assert.equal(pushed.code, 1, pushed.stderr);
      assert.match(pushed.stderr, /^error: PUT http:\/\/127\.0\.0\.1:\d+\/v2\/team\/devenv\/blobs\/uploads\/1\?digest=sha256%3A[0-9a-f]{64} failed: /m);
    } finally {
      registry.closeAllConnections();
      await new Promise((resolve) => registry.close(resolve));
    }
  });
});

describe("a docker credential helper", () => {
  it("is never one the repository ships: node_modules/.bin on PATH, relative or not, is passed over", async () => {
    const { dir, env } = installed();
    const marker = join(tempDir("devenv-marker-"), "ran");
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(dir, "node_modules", ".bin", "docker-credential-evil"), `#!/bin/sh\ntouch '${marker}'\necho '{"Username":"u","Secret":"s"}'\n`, { mode: 0o755 });
    const docker = tempDir("devenv-docker-config-");
    writeFileSync(join(docker, "config.json"), JSON.stringify({ credsStore: "evil" }));
    const registry = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
    });
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    try {
      const cache = `oci+http://127.0.0.1:${(registry.address() as AddressInfo).port}/team/devenv`;
      const path = `node_modules/.bin:${join(dir, "node_modules", ".bin")}:${env.PATH}`;
      const result = await devenv(["install"], { cwd: dir, env: { ...env, PATH: path, DEVENV_CACHE: cache, DOCKER_CONFIG: docker } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(existsSync(marker), false, "the repository's helper never ran");
    } finally {
      registry.closeAllConnections();
      await new Promise((resolve) => registry.close(resolve));
    }
  });
});
