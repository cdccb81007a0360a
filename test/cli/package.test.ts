import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, after, it } from "node:test";
import { extract, list } from "tar";
import { cleanEnv, repoRoot, run, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

it("npm pack ships no tests or benchmarks; installed into a fresh prefix, it runs its own code on the documented Node.js and does the quick start", async () => {
  const work = tempDir("devenv-pack-");
  // --ignore-scripts: `prepack` would rebuild dist/ under the tests running beside this one; `npm test` has just built it.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], { cwd: repoRoot, env: cleanEnv() });
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = join(work, packed.stdout.trim().split("\n").pop()!);
  const files: string[] = [];
  await list({ file: tarball, onReadEntry: (entry) => void files.push(entry.path) });
  assert.ok(files.includes("package/bin/devenv") && files.includes("package/dist/bundle/main.js"), files.join("\n"));
  assert.deepEqual(files.filter((f) => /\/(test|bench)\/|\.test\.|\.ts$/.test(f) && !/define\.d\.c?ts$/.test(f)), []);

  const prefix = join(work, "prefix");
  // Dependencies come from the registry (or the user's npm cache of it), as for any user.
  const install = await run("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: work, env: cleanEnv({ npm_config_update_notifier: "false" }) });
  assert.equal(install.code, 0, install.stderr);
  // npm 11 warns of every package with install scripts allowScripts does not cover; devenv-cli has none to run.
  const warned = `${install.stdout}\n${install.stderr}`.split("\n").filter((line) => /allow-?scripts|install-scripts/i.test(line) && line.includes("devenv-cli"));
  assert.deepEqual(warned, []);
  // The launcher it installed names neither this clone nor the node that built it.
  assert.ok(!files.includes("package/dist/build-node"), "the node that built it stays in the clone");
  assert.deepEqual(buildPaths(await packedLauncher(tarball), [repoRoot]), []);

  // A recorder as DEVENV_NODE shows which CLI the installed launcher starts.
  const log = join(work, "node-starts");
  const recorder = join(work, "recording-node");
  writeFileSync(recorder, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const home = tempDir("devenv-home-");
  const project = tempDir("devenv-project-");
  const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: mirror.url, PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin` });
  const devenv = (args: string[], extra: Record<string, string> = {}) => run("devenv", args, { cwd: project, env: { ...env, ...extra } });
  assert.equal((await devenv(["init", "--node", "20"], { DEVENV_NODE: recorder })).code, 0);
  // Its first start that is not a `--version` (the launcher checks a node is new enough) runs the CLI.
  const starts = readFileSync(log, "utf8");
  assert.ok(starts.split("\n").find((line) => line !== "--version")!.startsWith(join(prefix, "lib", "node_modules", "devenv-cli", "dist", "bundle", "main.js")), starts);
  assert.ok(!starts.includes(repoRoot), "the installed copy never runs the clone's code");
  // Without DEVENV_NODE: the node on PATH (the launcher was built elsewhere).
  const version = await devenv(["run", "node", "--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, "v20.99.1\n");
  assert.match((await devenv(["--version"])).stdout, /^\d+\.\d+\.\d+\n$/);
});

/** bin/devenv as a package tarball holds it. */
async function packedLauncher(tarball: string): Promise<string> {
  const dir = tempDir("devenv-unpacked-");
  await extract({ file: tarball, cwd: dir }, ["package/bin/devenv"]);
  return readFileSync(join(dir, "package", "bin", "devenv"), "utf8");
}

/** Which of the build directories `dirs`, and of the node that built it, the launcher names. */
function buildPaths(launcher: string, dirs: string[]): string[] {
  return [...dirs.map((dir) => dir.replace(/\/$/, "")), process.execPath].filter((path) => launcher.includes(path));
}

it("two clones of one commit, built in different directories, pack the same bin/devenv", async () => {
  const work = tempDir("devenv-clones-");
  const clones = [join(work, "a"), join(work, "second-clone")];
  // A clone after `npm ci`: the sources, tsc's output (scripts/build.mjs reads dist/store/layout.js), node_modules.
  // Both from one copy of this tree: the same commit, whatever is edited meanwhile.
  const skip = new Set(["node_modules", ".git", join("dist", "bundle")].map((path) => join(repoRoot, path)));
  cpSync(repoRoot, clones[0]!, { recursive: true, filter: (path) => !skip.has(path) });
  cpSync(clones[0]!, clones[1]!, { recursive: true });
  const launchers = await Promise.all(
    clones.map(async (clone) => {
      symlinkSync(join(repoRoot, "node_modules"), join(clone, "node_modules"));
      const built = await run(process.execPath, [join("scripts", "build.mjs")], { cwd: clone, env: cleanEnv() });
      assert.equal(built.code, 0, built.stderr);
      const out = join(clone, "packed");
      mkdirSync(out);
      const packed = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", out], { cwd: clone, env: cleanEnv() });
      assert.equal(packed.code, 0, packed.stderr);
      return packedLauncher(join(out, packed.stdout.trim().split("\n").pop()!));
    }),
  );
  assert.deepEqual(buildPaths(launchers[0]!, [...clones, repoRoot]), []);
  assert.equal(launchers[1], launchers[0], "byte for byte the same launcher");
});
