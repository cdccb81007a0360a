import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, after, it } from "node:test";
import { list } from "tar";
import { cleanEnv, repoRoot, run, tempDir } from "./support/cli.js";
import type { Mirror } from "./support/mirror.js";
import { startMirror } from "./support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

it("npm pack ships no tests or benchmarks; installed into a fresh prefix, it runs its own code on the documented Node.js and does the quick start", async () => {
  const work = tempDir("devenv-pack-");
  // --ignore-scripts: `prepare` would rebuild dist/ under the tests running beside this one; `npm test` has just built it.
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

  // A recorder as DEVENV_NODE shows which CLI the installed launcher starts.
  const log = join(work, "node-starts");
  const recorder = join(work, "recording-node");
  writeFileSync(recorder, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const home = tempDir("devenv-home-");
  const project = tempDir("devenv-project-");
  const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: mirror.url, PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin` });
  const devenv = (args: string[], extra: Record<string, string> = {}) => run("devenv", args, { cwd: project, env: { ...env, ...extra } });
  assert.equal((await devenv(["init", "--node", "20"], { DEVENV_NODE: recorder })).code, 0);
  const starts = readFileSync(log, "utf8");
  assert.ok(starts.startsWith(join(prefix, "lib", "node_modules", "devenv-cli", "dist", "bundle", "main.js")), starts);
  assert.ok(!starts.includes(repoRoot), "the installed copy never runs the clone's code");
  // Without DEVENV_NODE: the node on PATH (the launcher was built elsewhere).
  const version = await devenv(["run", "node", "--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, "v20.99.1\n");
  assert.match((await devenv(["--version"])).stdout, /^\d+\.\d+\.\d+\n$/);
});
