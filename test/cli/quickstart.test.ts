import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, it } from "node:test";
import { cleanEnv, devenvBin, nodeConfig, repoRoot, run, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

/** The commands of README.md's quick start, as a reader would type them. */
function quickStart(): string[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "README.md has a quick start");
  return block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

it("README's quick start works line by line, without a terminal and without DEVENV_TRUST", async () => {
  const lines = quickStart();
  assert.deepEqual(lines.slice(0, 2), ["cd my-project", "devenv init --node 20"]);
  const workspace = tempDir("devenv-project-");
  const home = tempDir("devenv-home-");
  mkdirSync(join(workspace, "my-project"));
  // devenv on PATH, as `npm install -g .` would put it; nothing trusted in advance.
  const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: mirror.url, DEVENV_TRUST: undefined, PATH: `${dirname(devenvBin)}:${process.env.PATH}` });
  const script = ["set -e", "git init -q my-project", ...lines.map((line) => `echo "+ ${line}" >&2; ${line}`)].join("\n");
  const result = await run("sh", ["-c", script], { cwd: workspace, env });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, ["v20.99.1", '20.99.1  lts/iron  <- "lts"', "20.98.0  lts/iron", "20.18.0  lts/iron", "18.20.9  lts/hydrogen", ""].join("\n"));
  assert.match(readFileSync(join(workspace, "my-project", "devenv.ts"), "utf8"), /node: "22"/);
  assert.match(result.stderr, /^\+ git add devenv\.ts devenv\.lock$/m, "every line ran");
});

it("direnv's use_devenv calls the devenv that printed it, so a local or npx install works; if that one is gone, the one on PATH", async () => {
  const dir = tempDir("devenv-project-");
  const home = tempDir("devenv-home-");
  writeFileSync(join(dir, "devenv.ts"), nodeConfig("20"));
  const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: mirror.url });
  // Loading never writes devenv.lock: the project is locked first, as a cloned one is.
  assert.equal((await run(devenvBin, ["lock"], { cwd: dir, env })).code, 0);
  const hook = (await run(devenvBin, ["hook", "direnv"], { cwd: dir, env })).stdout;
  assert.match(hook, new RegExp(`local devenv='${devenvBin.replaceAll(".", "\\.")}'`));
  // direnv's stdlib provides watch_file; nothing else of direnv is needed to call the function.
  const use = (text: string, path: string) => run("bash", ["-c", `${text}\nwatch_file() { :; }\nuse_devenv && node`], { cwd: dir, env: { ...env, PATH: path } });
  const withoutDevenv = await use(hook, "/usr/bin:/bin");
  assert.equal(withoutDevenv.stdout, "v20.99.1\n", withoutDevenv.stderr);
  const gone = await use(hook.replace(devenvBin, "/nonexistent/bin/devenv"), `${dirname(devenvBin)}:/usr/bin:/bin`);
  assert.equal(gone.stdout, "v20.99.1\n", gone.stderr);
});
