import assert from "node:assert/strict";
import { needs } from "../support/programs.js";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { devenvBin, nodeConfig, project, repoRoot, tempDir, run } from "../support/cli.js";
import { recordingLauncher } from "../support/launcher.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());


/** direnv with `use devenv` installed the way README says, and `devenv` on PATH as a launcher that records Node.js starts. */
async function direnvProject(spec: string) {
  const home = tempDir("devenv-direnv-home-");
  const launcher = recordingLauncher();
  const w = world(mirror);
  const env = { ...w.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache"), PATH: `${launcher.dir}:${w.env.PATH}` };
  const hook = await run(launcher.bin, ["hook", "direnv"], { cwd: home, env });
  assert.equal(hook.code, 0, hook.stderr);
  mkdirSync(join(home, ".config", "direnv", "lib"), { recursive: true });
  writeFileSync(join(home, ".config", "direnv", "lib", "devenv.sh"), hook.stdout);
  const dir = project(nodeConfig(spec), { ".envrc": "use devenv\n" });
  assert.equal((await run("direnv", ["allow", "."], { cwd: dir, env })).code, 0);
  // Loading never writes devenv.lock: the project is locked first, as a cloned one is.
  assert.equal((await run(launcher.bin, ["lock"], { cwd: dir, env })).code, 0);
  const exec = (...command: string[]) => run("direnv", ["exec", ".", ...command], { cwd: dir, env });
  return { dir, env, launcher, exec };
}

describe("direnv: use devenv", { skip: needs("direnv") }, () => {
  it("loads the locked toolchain; a reload with nothing changed starts no Node.js and rewrites nothing", async () => {
    const { dir, launcher, exec } = await direnvProject("20");
    const first = await exec("node", "--version");
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "v20.99.1\n");
    const starts = launcher.nodeStarts();
    const lock = statSync(join(dir, "devenv.lock"));
    const config = statSync(join(dir, "devenv.ts"));
    for (let i = 0; i < 3; i++) assert.equal((await exec("node", "--version")).stdout, "v20.99.1\n");
    assert.equal(launcher.nodeStarts(), starts, "no Node.js process on reload");
    for (const [file, before] of [["devenv.lock", lock], ["devenv.ts", config]] as const) {
      const after = statSync(join(dir, file));
      assert.equal(after.ino, before.ino, file);
      assert.equal(after.mtimeMs, before.mtimeMs, file);
    }
  });

  it("sees every change to devenv.ts on the next load, also two within one second; a stale lock is said, never rewritten, and nothing stays loaded", async () => {
    const { dir, env, exec } = await direnvProject("20");
    assert.equal((await exec("node", "--version")).stdout, "v20.99.1\n");
    const lock = readFileSync(join(dir, "devenv.lock"), "utf8");
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("18"));
    const stale = await exec("sh", "-c", "echo ${DEVENV_ROOT:-unloaded}");
    assert.equal(stale.stdout, "unloaded\n", "the stale environment is not kept loaded");
    assert.match(stale.stderr, /devenv\.lock does not match devenv\.ts, so nothing is loaded: node is "18" in devenv\.ts but "20" in devenv\.lock/);
    assert.match(stale.stderr, /run `devenv lock`/);
    assert.equal(readFileSync(join(dir, "devenv.lock"), "utf8"), lock, "loading wrote no tracked file");
    assert.equal((await run(devenvBin, ["lock"], { cwd: dir, env })).code, 0);
    assert.equal((await exec("node", "--version")).stdout, "v18.20.9\n");
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("20.18"));
    assert.equal((await run(devenvBin, ["lock"], { cwd: dir, env })).code, 0);
    assert.equal((await exec("node", "--version")).stdout, "v20.18.0\n");
    assert.match(readFileSync(join(repoRoot, "README.md"), "utf8").replace(/\s+/g, " "), /Loading never writes `devenv\.ts` or `devenv\.lock`/);
  });

  it("watches devenv.ts and devenv.lock", async () => {
    const { dir, exec } = await direnvProject("20");
    const watches = (await exec("sh", "-c", 'printf %s "$DIRENV_WATCHES"')).stdout;
    const files = (JSON.parse(inflateSync(Buffer.from(watches, "base64url")).toString()) as Array<{ Path: string }>).map((w) => w.Path);
    for (const file of ["devenv.ts", "devenv.lock", ".envrc"]) assert.ok(files.includes(join(dir, file)), `${file} in ${files.join(", ")}`);
  });
});
