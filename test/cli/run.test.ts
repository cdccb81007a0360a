import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, devenvBin, nodeConfig, project, tempDir } from "../support/cli.js";
import { sha256, type Mirror } from "../support/mirror.js";
import { prefixOf, startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const entryOf = (home: string, v = "20.99.1") => join(home, "store", `${sha256(mirror.files.get(`/v${v}/node-v${v}-linux-x64.tar.gz`)!).slice(0, 32)}-node-${v}`);

describe("devenv run", () => {
  it("auto-locks and auto-installs, then runs CMD with its own flags untouched", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    const result = await devenv(["run", "node", "--version"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "v20.99.1\n");
    assert.ok(existsSync(join(dir, "devenv.lock")));
    const withDashDash = await devenv(["run", "--", "sh", "-c", "echo $0 $1", "a", "--help"], { cwd: dir, env });
    assert.equal(withDashDash.stdout, "a --help\n");
  });

  for (const code of [0, 3, 255]) {
    it(`passes exit code ${code} through`, async () => {
      const dir = project(nodeConfig("20"));
      const result = await devenv(["run", "sh", "-c", `exit ${code}`], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, code, result.stderr);
    });
  }

  for (const [signal, number] of [["TERM", 15], ["KILL", 9]] as const) {
    it(`a death by SIG${signal} exits 128+${number}`, async () => {
      const dir = project(nodeConfig("20"));
      const result = await devenv(["run", "sh", "-c", `kill -${signal} $$`], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 128 + number);
    });
  }

  it("a devenv.ts with no tools runs CMD on the outer PATH, with a DEVENV_HOME that has no store yet", async () => {
    const dir = project("export default { tools: {} };\n");
    const { env, home } = world(mirror);
    const hits = mirror.archiveHits();
    const result = await devenv(["run", "sh", "-c", 'echo "$DEVENV_ROOT"'], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${dir}\n`);
    assert.equal(existsSync(join(home, "store")), false);
    assert.equal(mirror.archiveHits(), hits);
  });

  it("a command that does not exist exits 127 with a hint", async () => {
    const dir = project(nodeConfig("20"));
    const result = await devenv(["run", "no-such-command-here"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 127);
    assert.match(result.stderr, /^error: no-such-command-here: command not found in the devenv environment\nhint: /m);
  });

  it("SIGTERM, SIGINT and SIGHUP sent to devenv reach CMD; SIGINT to the whole group is handled by CMD, not devenv", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    await devenv(["install"], { cwd: dir, env });
    const script = 'trap "echo got-$SIG; exit 42" TERM INT HUP; echo ready; while :; do sleep 0.05; done';
    for (const [signal, toGroup] of [["SIGTERM", false], ["SIGINT", true], ["SIGINT", false], ["SIGHUP", false]] as const) {
      const child = spawn(devenvBin, ["run", "sh", "-c", script.replace("$SIG", signal)], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      await new Promise<void>((resolve) =>
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes("ready")) resolve();
        }),
      );
      process.kill(toGroup ? -child.pid! : child.pid!, signal);
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      assert.equal(code, 42, `${signal}: devenv exits with CMD's code`);
      assert.match(stdout, new RegExp(`got-${signal}`));
    }
  });

  it("puts node's corepack links, then the pinned node, then its writable prefix, the config's path, the outer PATH; sets DEVENV_ROOT and env", async () => {
    const dir = project(nodeConfig("20", `, env: { APP_ENV: "dev" }, path: ["node_modules/.bin", "/opt/abs"]`));
    const { env, home } = world(mirror);
    const result = await devenv(["run", "sh", "-c", 'echo "$PATH"; echo "$DEVENV_ROOT"; echo "$APP_ENV"; command -v node'], { cwd: dir, env: { ...env, PATH: `/outer/bin:${env.PATH}` } });
    assert.equal(result.code, 0, result.stderr);
    const [path, root, appEnv, node] = result.stdout.trimEnd().split("\n");
    const entry = entryOf(home);
    const prefix = prefixOf(home, dir, "node");
    assert.deepEqual(path!.split(":").slice(0, 6), [join(prefix, "corepack"), join(entry, "bin"), join(prefix, "bin"), join(dir, "node_modules/.bin"), "/opt/abs", "/outer/bin"]);
    assert.equal(root, dir);
    assert.equal(appEnv, "dev");
    assert.equal(node, join(entry, "bin/node"));
  });

  it("--pure keeps only the toolchains, the config's path, a minimal system PATH, env and terminal variables", async () => {
    const dir = project(nodeConfig("20", `, env: { APP_ENV: "dev" }`));
    const { env, home } = world(mirror);
    const result = await devenv(["run", "--pure", "sh", "-c", 'echo "$PATH|$APP_ENV|$HOME|${OUTER_SECRET-unset}"'], { cwd: dir, env: { ...env, OUTER_SECRET: "x", PATH: `/outer/bin:${env.PATH}` } });
    assert.equal(result.code, 0, result.stderr);
    const prefix = prefixOf(home, dir, "node");
    assert.equal(result.stdout, `${join(prefix, "corepack")}:${join(entryOf(home), "bin")}:${join(prefix, "bin")}:/usr/local/bin:/usr/bin:/bin|dev|${env.HOME}|unset\n`);
  });
});

describe("devenv env, which, list", () => {
  it("env --shell bash is eval-able and round-trips awkward values byte for byte", async () => {
    const nasty = `it's "quoted" $HOME \\ back\nnew line\ttab ünïcødé 🚀 \`tick\``;
    const dir = project(`export default { tools: { node: "20" }, env: { NASTY: ${JSON.stringify(nasty)} } };\n`);
    const { env, home } = world(mirror);
    const result = await devenv(["env", "--shell", "bash"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const evaluated = spawnSync("bash", ["-c", `eval "$1"; printf '%s' "$NASTY"; printf '\\n%s\\n%s' "$DEVENV_ROOT" "$(command -v node)"`, "bash", result.stdout], { encoding: "utf8", env });
    assert.equal(evaluated.stdout, `${nasty}\n${dir}\n${join(entryOf(home), "bin/node")}`);
  });

  it("env --shell json prints the variables devenv sets", async () => {
    const dir = project(nodeConfig("20", `, env: { APP_ENV: "dev" }`));
    const { env, home } = world(mirror);
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env: { ...env, PATH: "/outer/bin" } });
    const prefix = prefixOf(home, dir, "node");
    assert.deepEqual(JSON.parse(result.stdout), { PATH: `${join(prefix, "corepack")}:${join(entryOf(home), "bin")}:${join(prefix, "bin")}:/outer/bin`, DEVENV_ROOT: dir, APP_ENV: "dev", npm_config_prefix: prefix });
  });

  it("env does not pile up toolchain directories when evaluated twice", async () => {
    const dir = project(nodeConfig("20"));
    const { env } = world(mirror);
    const first = JSON.parse((await devenv(["env", "--shell", "json"], { cwd: dir, env })).stdout) as { PATH: string };
    const second = JSON.parse((await devenv(["env", "--shell", "json"], { cwd: dir, env: { ...env, PATH: first.PATH } })).stdout) as { PATH: string };
    assert.equal(second.PATH, first.PATH);
  });

  it("which prints the absolute path a binary resolves to; a missing one exits 1", async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    const npm = await devenv(["which", "npm"], { cwd: dir, env });
    assert.equal(npm.stdout, `${join(entryOf(home), "bin/npm")}\n`);
    const sh = await devenv(["which", "sh"], { cwd: dir, env });
    assert.match(sh.stdout, /^\/.*\/sh\n$/);
    const missing = await devenv(["which", "no-such-binary"], { cwd: dir, env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-binary is not on the devenv environment's PATH/);
  });

  it("list shows spec, version, store path and whether it is installed, also as JSON", async () => {
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    await devenv(["lock"], { cwd: dir, env });
    const before = JSON.parse((await devenv(["list", "--json"], { cwd: dir, env })).stdout) as unknown;
    assert.deepEqual(before, [{ name: "node", spec: "20", version: "20.99.1", path: entryOf(home), installed: false, source: null }]);
    await devenv(["install"], { cwd: dir, env });
    const text = await devenv(["list"], { cwd: dir, env });
    assert.equal(text.stdout, `node  20  20.99.1  installed  ${entryOf(home)}\n`);
  });
});

describe("devenv init", () => {
  it("writes a devenv.ts that works, and refuses to overwrite it without --force", async () => {
    const dir = tempDir();
    const { env } = world(mirror);
    const init = await devenv(["init", "--node", "20.18"], { cwd: dir, env });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(
      readFileSync(join(dir, "devenv.ts"), "utf8"),
      '// The toolchains of this project, for devenv (`devenv run`, `devenv shell`). Types, if you want them:\n// `npm install -D devenv@npm:devenv-types`, then wrap this object in defineConfig from "devenv".\nexport default {\n  tools: {\n    node: "20.18",\n  },\n};\n',
    );
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.18.0\n");
    const again = await devenv(["init", "--node", "18"], { cwd: dir, env });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /devenv\.ts already exists\nhint: .*--force/);
    assert.equal((await devenv(["init", "--node", "18", "--force"], { cwd: dir, env })).code, 0);
    assert.match(readFileSync(join(dir, "devenv.ts"), "utf8"), /node: "18"/);
  });

  it("rejects a bad spec and writes nothing", async () => {
    const dir = tempDir();
    const result = await devenv(["init", "--node", "twenty"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.equal(existsSync(join(dir, "devenv.ts")), false);
  });
});

describe("output: colour and progress", () => {
  it("colours errors only when allowed: FORCE_COLOR yes, NO_COLOR and --no-color no", async () => {
    const dir = tempDir();
    const { env } = world(mirror);
    const coloured = await devenv(["run", "true"], { cwd: dir, env: { ...env, FORCE_COLOR: "1" } });
    assert.match(coloured.stderr, /\x1b\[31merror:/);
    const noColor = await devenv(["run", "true"], { cwd: dir, env: { ...env, FORCE_COLOR: "1", NO_COLOR: "1" } });
    const flag = await devenv(["--no-color", "run", "true"], { cwd: dir, env: { ...env, FORCE_COLOR: "1" } });
    for (const result of [noColor, flag]) assert.doesNotMatch(result.stderr, /\x1b\[/);
  });

  it("shows a download progress line on a TTY and nothing when stderr is not one", async () => {
    const slow = await startMirror();
    try {
      slow.faults.set("/v20.99.1/node-v20.99.1-linux-x64.tar.gz", { delayMs: 600 });
      const plain = await devenv(["install"], { cwd: project(nodeConfig("20")), env: world(slow).env });
      assert.equal(plain.code, 0, plain.stderr);
      assert.doesNotMatch(plain.stderr, /Downloading/);
      // script(1) gives the command a pseudo-terminal.
      const dir = project(nodeConfig("20"));
      const tty = spawn("script", ["-qec", `${devenvBin} install`, "/dev/null"], { cwd: dir, env: world(slow).env });
      let out = "";
      tty.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => tty.on("close", resolve));
      assert.equal(code, 0, out);
      assert.match(out, /\rDownloading node 20\.99\.1 +[\d.]+ MB\/[\d.]+ MB +[\d.]+ MB\/s/);
    } finally {
      await slow.close();
    }
  });
});
