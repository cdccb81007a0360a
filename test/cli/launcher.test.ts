import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenvBin, nodeConfig, project, run, tempDir } from "../support/cli.js";
import { countedProgram, launcherCopy, recordingLauncher } from "../support/launcher.js";
import type { Mirror } from "../support/mirror.js";
import { standardNodeReleases, startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());


/** A project, warmed by one cold run through a recording launcher. */
async function warm(config = nodeConfig("20", `, env: { APP_ENV: "it's \\"dev\\"\\nline" }`)) {
  const dir = project(config);
  const w = world(mirror);
  const launcher = recordingLauncher();
  const devenv = (args: string[], env = w.env) => run(launcher.bin, args, { cwd: dir, env });
  const first = await devenv(["run", "node"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(launcher.nodeStarts(), 1);
  return { dir, ...w, launcher, devenv };
}

describe("the launcher's hot path: no Node.js when nothing changed", () => {
  it("run and env start no Node.js once the environment is cached", async () => {
    const { launcher, devenv } = await warm();
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal((await devenv(["run", "--", "sh", "-c", "exit 5"])).code, 5);
    for (const args of [["env"], ["env", "--shell", "bash"], ["env", "--shell=zsh"], ["env", "--shell", "fish"]]) {
      assert.equal((await devenv(args)).code, 0);
    }
    assert.equal(launcher.nodeStarts(), 1);
  });

  it("prints exactly what the Node.js CLI prints, for every shell format and any outer PATH", async () => {
    const { devenv, env, dir } = await warm();
    const outer = { ...env, PATH: `/a b/bin:/it's:${env.PATH}:/a b/bin` };
    for (const shell of ["bash", "zsh", "fish"]) {
      const hot = await devenv(["env", "--shell", shell], outer);
      const cold = await devenv(["-q", "env", "--shell", shell], outer);
      assert.equal(hot.stdout, cold.stdout, shell);
    }
    const hotRun = await devenv(["run", "sh", "-c", "env | sort"]);
    const coldRun = await devenv(["-q", "run", "sh", "-c", "env | sort"]);
    assert.equal(hotRun.stdout, coldRun.stdout);
    assert.match(hotRun.stdout, new RegExp(`DEVENV_ROOT=${dir}`));
  });

  it("env --shell json answers from the cache byte for byte as the CLI; a PATH JSON would escape goes to it", async () => {
    const { devenv, env, launcher } = await warm();
    const plain = { ...env, PATH: `/opt/my tools/bin:/home/me/.local/bin:${env.PATH}` };
    const odd = [`/it's/"quoted"/bin:${env.PATH}`, `/back\\slash:${env.PATH}`, `/tab\there:/new\nline:${env.PATH}`];
    const hot = [await devenv(["env", "--shell", "json"], plain), await devenv(["env", "--shell=json"])];
    assert.equal(launcher.nodeStarts(), 1, "answered by the launcher");
    const cold = [await devenv(["-q", "env", "--shell", "json"], plain), await devenv(["-q", "env", "--shell=json"])];
    assert.deepEqual(hot.map((r) => [r.code, r.stdout, r.stderr]), cold.map((r) => [r.code, r.stdout, r.stderr]));
    const vars = JSON.parse(hot[0]!.stdout) as Record<string, string>;
    assert.equal(Object.keys(vars)[0], "PATH");
    assert.equal(vars.APP_ENV, `it's "dev"\nline`);
    assert.match(vars.PATH!, /-node-20\.99\.1\/bin:.*:\/opt\/my tools\/bin:\/home\/me\/\.local\/bin:/);
    const starts = launcher.nodeStarts();
    for (const path of odd) {
      const result = await devenv(["env", "--shell", "json"], { ...env, PATH: path });
      assert.equal((JSON.parse(result.stdout).PATH as string).split(":").includes(path.split(":")[0]!), true, path);
    }
    assert.equal(launcher.nodeStarts(), starts + odd.length, "each went to the CLI");
    // Beyond ASCII: the shell decides whether a letter is one (dash does not); either way, the CLI's bytes.
    const accented = { ...env, PATH: `/home/é/bin:${env.PATH}` };
    assert.equal((await devenv(["env", "--shell", "json"], accented)).stdout, (await devenv(["-q", "env", "--shell", "json"], accented)).stdout);
  });

  it("answers only run and env: which, list and install go to the Node.js CLI", async () => {
    const { devenv, launcher } = await warm();
    for (const args of [["which", "node"], ["list"], ["list", "--json"], ["install"], ["install", "--frozen"]]) {
      const before = launcher.nodeStarts();
      const result = await devenv(args);
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(launcher.nodeStarts(), before + 1, `${args.join(" ")} went to the CLI`);
    }
  });

  it("a command missing from the environment falls through to the CLI's error (127)", async () => {
    const { devenv, launcher } = await warm();
    const result = await devenv(["run", "no-such-command"]);
    assert.equal(result.code, 127);
    assert.match(result.stderr, /no-such-command: command not found/);
    assert.equal(launcher.nodeStarts(), 2);
  });
});

describe("the launcher sees every change on the very next call", () => {
  it("two edits of devenv.ts within one second, same size and mtime", async () => {
    const { dir, devenv, launcher } = await warm(nodeConfig("20.18"));
    const file = join(dir, "devenv.ts");
    writeFileSync(file, nodeConfig("18.20"));
    assert.equal((await devenv(["run", "node"])).stdout, "v18.20.9\n");
    writeFileSync(file, nodeConfig("20.98"));
    assert.equal((await devenv(["run", "node"])).stdout, "v20.98.0\n");
    assert.equal(launcher.nodeStarts(), 3);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.98.0\n");
    assert.equal(launcher.nodeStarts(), 3, "and the new state is cached again");
  });

  it("an edit whose mtime was put back to an older one (tar, rsync -t, a restored backup)", async () => {
    const { dir, devenv, launcher } = await warm(nodeConfig("20.18"));
    const file = join(dir, "devenv.ts");
    writeFileSync(file, nodeConfig("20.98"));
    const lastYear = new Date(Date.now() - 365 * 86_400_000);
    utimesSync(file, lastYear, lastYear);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.98.0\n");
    assert.equal(launcher.nodeStarts(), 2);
  });

  it("a changed devenv.lock (a pull that pinned another version)", async () => {
    const { dir, devenv, launcher } = await warm(nodeConfig("20"));
    // A teammate locked the same spec when 20.98.0 was the newest release.
    const older = await startMirror(standardNodeReleases.filter((r) => r.version !== "20.99.1"));
    try {
      const theirs = project(nodeConfig("20"));
      await run(launcher.bin, ["lock"], { cwd: theirs, env: world(older).env });
      writeFileSync(join(dir, "devenv.lock"), readFileSync(join(theirs, "devenv.lock")));
    } finally {
      await older.close();
    }
    const starts = launcher.nodeStarts();
    assert.equal((await devenv(["run", "node"])).stdout, "v20.98.0\n");
    assert.equal(launcher.nodeStarts(), starts + 1);
  });

  it("a store entry that disappeared is reinstalled", async () => {
    const { home, devenv, launcher } = await warm();
    const entry = readdirSync(join(home, "store"))[0]!;
    chmodSync(join(home, "store", entry), 0o755);
    renameSync(join(home, "store", entry), join(home, "gone"));
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal(launcher.nodeStarts(), 2);
    assert.deepEqual(readdirSync(join(home, "store")), [entry]);
  });

  it("a launcher upgrade (another build id) goes through the CLI once, then is hot again", async () => {
    const { dir, env } = await warm();
    const upgraded = recordingLauncher({ buildId: "0000000000000000" });
    assert.equal((await run(upgraded.bin, ["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    assert.equal(upgraded.nodeStarts(), 1);
  });

  it("another DEVENV_HOME never reuses a cache written for the first", async () => {
    const { devenv, launcher } = await warm();
    const other = world(mirror);
    assert.equal((await devenv(["run", "node"], other.env)).code, 0);
    assert.equal(launcher.nodeStarts(), 2);
  });
});

/** A `diff` that counts its runs, then runs the system's. */
const countingDiff = () => countedProgram("diff", execFileSync("sh", ["-c", "command -v diff"], { encoding: "utf8" }).trim());

describe("the launcher compares every file it depends on, with one diff", () => {
  it("runs one diff before each answer, and no Node.js while nothing changed; a touched file is still the same", async () => {
    const { dir, env, devenv, launcher } = await warm();
    const diff = countingDiff();
    const counted = { ...env, PATH: `${diff.dir}:${env.PATH}` };
    assert.equal((await devenv(["run", "node"], counted)).stdout, "v20.99.1\n");
    assert.equal(diff.runs(), 1);
    const now = new Date();
    utimesSync(join(dir, "devenv.ts"), now, now);
    assert.equal((await devenv(["run", "node"], counted)).stdout, "v20.99.1\n");
    assert.equal((await devenv(["env", "--shell", "bash"], counted)).code, 0);
    assert.equal(diff.runs(), 3);
    assert.equal(launcher.nodeStarts(), 1);
  });

  it("compares the bytes of a file whose mtime was set, not written: a package upgraded by npm keeps 1985-10-26", async () => {
    // A config package devenv.ts imports, installed as npm installs every package's files.
    const npmTime = new Date("1985-10-26T08:15:00.000Z");
    const source = (spec: string) => `export const spec = ${JSON.stringify(spec)};\n`;
    const dir = project(`import { defineConfig } from "devenv";\nimport { spec } from "team-config";\nexport default defineConfig({ tools: { node: spec } });\n`, {
      "node_modules/team-config/package.json": JSON.stringify({ name: "team-config", version: "1.0.0", type: "module", exports: "./index.js" }),
      "node_modules/team-config/index.js": source("20.18"),
    });
    const index = join(dir, "node_modules", "team-config", "index.js");
    utimesSync(index, npmTime, npmTime);
    const { env } = world(mirror);
    const launcher = recordingLauncher();
    const devenv = () => run(launcher.bin, ["run", "node"], { cwd: dir, env });
    assert.equal((await devenv()).stdout, "v20.18.0\n");
    assert.equal((await devenv()).stdout, "v20.18.0\n");
    assert.equal(launcher.nodeStarts(), 1);
    // The upgrade: new bytes, the same size, the same mtime.
    writeFileSync(index, source("20.98"));
    utimesSync(index, npmTime, npmTime);
    assert.equal((await devenv()).stdout, "v20.98.0\n");
    assert.equal(launcher.nodeStarts(), 2);
  });

  it("compares the bytes of a file whose mtime is ahead of the clock (a clock ahead, or set by hand)", async () => {
    const { dir, env, devenv, launcher } = await warm(nodeConfig("20.18"));
    const file = join(dir, "devenv.ts");
    writeFileSync(file, nodeConfig("20.98"));
    // Not settled when read, and not a write's: either is enough for the launcher to compare its bytes.
    const nextSecond = Math.ceil(Date.now() / 1000) + 1;
    utimesSync(file, nextSecond, nextSecond);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.98.0\n");
    const diff = countingDiff();
    assert.equal((await devenv(["run", "node"], { ...env, PATH: `${diff.dir}:${env.PATH}` })).stdout, "v20.98.0\n");
    assert.deepEqual([diff.runs(), launcher.nodeStarts()], [1, 2]);
    writeFileSync(file, nodeConfig("18.20"));
    utimesSync(file, nextSecond, nextSecond);
    assert.equal((await devenv(["run", "node"])).stdout, "v18.20.9\n", "same size, same mtime: seen by its bytes");
  });
});

describe("the launcher's cache after review", () => {
  it("a newline added or removed at the end of devenv.ts or devenv.lock is a change", async () => {
    const { dir, devenv, launcher } = await warm();
    let starts = launcher.nodeStarts();
    for (const [file, edit] of [["devenv.ts", (t: string) => `${t}\n`], ["devenv.ts", (t: string) => t.trimEnd()], ["devenv.lock", (t: string) => `${t}\n`]] as const) {
      writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), "utf8")));
      assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
      assert.equal(launcher.nodeStarts(), ++starts, `${file} edited`);
    }
  });

  it("a copied project gets its own environment, not the original's cache", async () => {
    const { dir, devenv, env } = await warm();
    const copy = join(tempDir("devenv-project-"), "copy");
    cpSync(dir, copy, { recursive: true });
    // Same user, same DEVENV_HOME: only the project's place differs.
    const result = await run(devenvBin, ["run", "sh", "-c", 'echo "$DEVENV_ROOT"'], { cwd: copy, env });
    assert.equal((await devenv(["run", "sh", "-c", 'echo "$DEVENV_ROOT"'])).stdout, `${dir}\n`, "the original still its own");
    assert.equal(result.stdout, `${copy}\n`);
  });

  it("an env.sh or config.json a crash left empty or cut short is not used: the CLI answers and writes them again", async () => {
    const { dir, home, devenv, launcher } = await warm();
    const state = join(home, "projects", realpathSync(dir), "=");
    // Empty, cut inside a quoted value, cut at the end of a line.
    const whole = readFileSync(join(state, "env.sh"), "utf8");
    for (const cut of [0, whole.indexOf("'", whole.indexOf("_dv_cache_posix=")) + 3, whole.lastIndexOf("\n", whole.length - 2) + 1]) {
      truncateSync(join(state, "env.sh"), cut);
      const result = await devenv(["run", "node"]);
      assert.deepEqual([result.code, result.stdout, result.stderr], [0, "v20.99.1\n", ""], `cut at ${cut}`);
      assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    }
    assert.equal(launcher.nodeStarts(), 4, "each cut env.sh went to the CLI once, which wrote it again");
    // config.json is the CLI's own: -q sends the call to it.
    truncateSync(join(state, "config.json"), 40);
    assert.equal((await devenv(["-q", "run", "node"])).stdout, "v20.99.1\n");
    assert.equal(typeof JSON.parse(readFileSync(join(state, "config.json"), "utf8")), "object");
  });

  it("never runs a diff the project ships on PATH (node_modules/.bin, as in a devenv shell), and stays hot", async () => {
    const { dir, env, devenv, launcher } = await warm();
    const bin = join(dir, "node_modules", ".bin");
    const marker = join(dir, "ran");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "diff"), `#!/bin/sh\ntouch '${marker}'\nexit 0\n`, { mode: 0o755 });
    for (const path of [`${bin}:${env.PATH}`, `node_modules/.bin:${env.PATH}`]) {
      assert.equal((await devenv(["run", "node"], { ...env, PATH: path })).stdout, "v20.99.1\n");
    }
    assert.equal(existsSync(marker), false);
    assert.equal(launcher.nodeStarts(), 1);
  });

  it("reached through a link, as npm installs it, never runs a readlink the project ships on PATH (in a devenv shell)", async () => {
    const { dir, env } = await warm();
    const bin = join(dir, "node_modules", ".bin");
    const marker = join(dir, "ran");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "readlink"), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
    const link = join(tempDir("devenv-bin-"), "devenv");
    symlinkSync(devenvBin, link);
    // -q: a call only the CLI answers, which the launcher finds through the link.
    const result = await run(link, ["-q", "run", "node"], { cwd: dir, env: { ...env, DEVENV_ROOT: dir, PATH: `${bin}:${env.PATH}` } });
    assert.deepEqual([result.code, result.stdout], [0, "v20.99.1\n"], result.stderr);
    assert.equal(existsSync(marker), false);
  });

  it("a cache written while DEVENV_TRUST vouched for devenv.ts is not used once it no longer does", async () => {
    const { dir, env, launcher } = await warm();
    const { DEVENV_TRUST: _, ...untrusted } = env;
    const result = await run(launcher.bin, ["run", "node"], { cwd: dir, env: untrusted });
    assert.equal(result.code, 2, "the CLI asks for trust");
    assert.match(result.stderr, /is not trusted/);
  });
});

/** A script in `dir` named node, which logs every run `logged` and answers `--version` with `version`; what else it does is `rest`. */
function fakeNode(dir: string, version: string, logged: "all" | "but --version", rest: string) {
  mkdirSync(dir, { recursive: true });
  const log = join(tempDir("devenv-fake-node-log-"), "runs");
  const record = `echo "$*" >> '${log}'`;
  const lines = ["#!/bin/sh", logged === "all" ? record : "", `[ "$1" = --version ] && { echo ${version}; exit 0; }`, logged === "all" ? "" : record, rest];
  writeFileSync(join(dir, "node"), `${lines.filter(Boolean).join("\n")}\n`, { mode: 0o755 });
  return { dir, path: join(dir, "node"), runs: () => (existsSync(log) ? readFileSync(log, "utf8") : "") };
}

/** An old node (nvm use 18): asked its version, it says `version`; run on devenv's CLI, it fails as Node.js 18 does in yargs, and that run is logged. */
const oldNode = (version: string) =>
  fakeNode(tempDir("devenv-old-node-"), version, "but --version", 'echo "internal error: yargs parser supports a minimum Node.js version of 20. Read our version support policy: https://github.com/yargs/yargs-parser#supported-nodejs-versions" >&2; exit 1');

/** A node the launcher must never start, not even for its version: it says it is new enough, runs this node, and logs every run. */
const untrustedNode = (dir: string) => fakeNode(dir, "v22.99.0", "all", `exec '${process.execPath}' "$@"`);

describe("the Node.js an installed launcher runs on (package.json's engines: 20.19 or newer)", () => {
  it("skips a node on PATH older than 20.19 (nvm use 18) and runs on the next one", async () => {
    const copy = launcherCopy();
    const [node18, node2018] = [oldNode("v18.20.4"), oldNode("v20.18.3")];
    const real = countedProgram("node", process.execPath);
    const { env } = world(mirror, { PATH: `${node18.dir}:${node2018.dir}:${real.dir}` });
    const result = await run(copy.bin, ["--help"], { cwd: tempDir(), env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /devenv/);
    assert.deepEqual([node18.runs(), node2018.runs()], ["", ""], "no old node ran the CLI");
    assert.ok(real.runs() > 0);
  });

  it("only older nodes: one line naming each with its version, and a hint (the clone still runs on the node that built it); so for a DEVENV_NODE too old", async () => {
    const copy = launcherCopy();
    const [node18, node2018] = [oldNode("v18.20.4"), oldNode("v20.18.3")];
    const { env } = world(mirror, { PATH: `${node18.dir}:${node2018.dir}` });
    const result = await run(copy.bin, ["--help"], { cwd: tempDir(), env });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    const lines = result.stderr.split("\n");
    assert.equal(lines.length, 3, result.stderr);
    assert.match(lines[0]!, /^error: devenv needs Node\.js 20\.19 or newer; /);
    assert.ok(lines[0]!.includes(`${node18.path} (v18.20.4), ${node2018.path} (v20.18.3)`), lines[0]);
    assert.match(lines[1]!, /^hint: install Node\.js 20\.19 or newer .*DEVENV_NODE/);
    // The clone's own launcher, with the same PATH, runs on the node that built it.
    const clone = await run(devenvBin, ["--version"], { cwd: tempDir(), env });
    assert.deepEqual([clone.code, clone.stderr], [0, ""]);

    const real = dirname(process.execPath);
    const pinned = await run(copy.bin, ["--help"], { cwd: tempDir(), env: { ...env, PATH: `${real}:${env.PATH}`, DEVENV_NODE: node18.path } });
    assert.equal(pinned.code, 1);
    assert.deepEqual(pinned.stderr.split("\n").slice(0, 1), [`error: devenv needs Node.js 20.19 or newer; DEVENV_NODE is ${node18.path} (v18.20.4)`]);
    assert.match(pinned.stderr, /^[^\n]*\nhint: [^\n]*DEVENV_NODE[^\n]*\n$/);
    assert.deepEqual([node18.runs(), node2018.runs()], ["", ""]);
  });

  it("never starts a node in the project, in DEVENV_ROOT, in a relative PATH entry or in devenv's store, not even for its version", async () => {
    const copy = launcherCopy();
    const dir = project(nodeConfig("20"));
    const { env, home } = world(mirror);
    const elsewhere = tempDir("devenv-cwd-");
    const link = join(tempDir("devenv-link-"), "to-project");
    symlinkSync(dir, link);
    const other = tempDir("devenv-root-");
    // Each says it is a new node: only where it lies keeps the launcher from starting it.
    const untrusted = {
      project: untrustedNode(join(dir, "node_modules", ".bin")),
      relative: untrustedNode(join(elsewhere, "node_modules", ".bin")),
      root: untrustedNode(join(other, "node_modules", ".bin")),
      store: untrustedNode(join(home, "store", "node-22.99.0-linux-x64", "bin")),
    };
    const real = countedProgram("node", process.execPath);
    const anywhere = [untrusted.root.dir, untrusted.store.dir, "node_modules/.bin", "./node_modules/.bin", real.dir];
    // In the project (found up from a subdirectory too), its directories, also reached through a link.
    const inProject = [join(dir, "node_modules", ".bin"), join(link, "node_modules", ".bin"), ...anywhere];
    mkdirSync(join(dir, "sub"));
    for (const [cwd, path] of [[dir, inProject], [join(dir, "sub"), inProject], [elsewhere, anywhere]] as const) {
      const result = await run(copy.bin, ["--help"], { cwd, env: { ...env, DEVENV_ROOT: other, PATH: path.join(":") } });
      assert.equal(result.code, 0, `${cwd}: ${result.stderr}`);
    }
    assert.deepEqual(Object.entries(untrusted).filter(([, node]) => node.runs() !== ""), []);
    assert.ok(real.runs() > 0);
  });
});
