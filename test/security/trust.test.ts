import assert from "node:assert/strict";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, run, tempDir } from "../support/cli.js";
import { recordingLauncher } from "../support/launcher.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

/** Thinking as a hostile repository: nothing it ships runs, or is written through, before it is trusted. */
let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

function setup(config: string, files: Record<string, string> = {}) {
  const dir = project(config, files);
  const w = world(mirror);
  const { DEVENV_TRUST: _, ...env } = w.env;
  const launcher = recordingLauncher();
  return { dir, home: w.home, env, launcher, devenv: (args: string[]) => run(launcher.bin, args, { cwd: dir, env }) };
}

const importing = `import { spec } from "./side.ts";\nexport default { tools: { node: spec } };\n`;

describe("trust covers every file devenv.ts's evaluation reads", () => {
  it("a changed import (a git pull) is untrusted again: not evaluated, and the launcher stops answering", async () => {
    const { dir, devenv, launcher } = setup(importing, { "side.ts": `export const spec = "20";\n` });
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    const starts = launcher.nodeStarts();
    assert.equal(starts, 2, "trust, then one cold run; the second run was the launcher's");
    const mark = join(dir, "evaluated");
    writeFileSync(join(dir, "side.ts"), `globalThis.process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(mark)}, "x");\nexport const spec = "18";\n`);
    const result = await devenv(["run", "node"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /devenv\.ts is not trusted/);
    assert.equal(launcher.nodeStarts(), starts + 1, "the launcher saw the import change");
    assert.equal(existsSync(mark), false, "the changed import never ran");
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).stdout, "v18.20.9\n");
  });

  it("a file that appears where an import now resolves (lib.ts beside lib/index.ts) is untrusted: the cache and the launcher see it", async () => {
    const { dir, devenv, launcher } = setup(`import { spec } from "./lib";\nexport default { tools: { node: spec } };\n`, { "lib/index.ts": `export const spec = "20";\n` });
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    const starts = launcher.nodeStarts();
    const mark = join(dir, "evaluated");
    writeFileSync(join(dir, "lib.ts"), `globalThis.process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(mark)}, "x");\nexport const spec = "18";\n`);
    const result = await devenv(["run", "node"]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /devenv\.ts is not trusted/);
    assert.equal(launcher.nodeStarts(), starts + 1, "the launcher saw the new file");
    assert.equal(existsSync(mark), false, "lib.ts never ran");
  });

  it("a package whose package.json now names another main is untrusted", async () => {
    const { dir, devenv } = setup(`import { spec } from "team-config";\nexport default { tools: { node: spec } };\n`, {
      "node_modules/team-config/package.json": JSON.stringify({ name: "team-config", main: "a.js" }),
      "node_modules/team-config/a.js": `exports.spec = "20";\n`,
      "node_modules/team-config/b.js": `exports.spec = "18";\n`,
    });
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    writeFileSync(join(dir, "node_modules/team-config/package.json"), JSON.stringify({ name: "team-config", main: "b.js" }));
    const result = await devenv(["run", "node"]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /devenv\.ts is not trusted/);
  });

  it("devenv add re-trusts devenv.ts's own edit only: an import that changed since it was trusted stays untrusted", async () => {
    const { dir, devenv } = setup(`import { label } from "./lib";\nexport default { tools: { node: "20" }, env: { LABEL: label } };\n`, { "lib/index.ts": `export const label = "reviewed";\n` });
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    const mark = join(dir, "evaluated");
    writeFileSync(join(dir, "lib.ts"), `globalThis.process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(mark)}, "x");\nexport const label = "pulled";\n`);
    const added = await devenv(["add", "node@18"]);
    assert.notEqual(added.code, 0, added.stderr);
    assert.match(added.stderr, /not trusted/);
    assert.equal(existsSync(mark), false, "lib.ts never ran");
  });

  it("an import that cannot be resolved is a config error naming it", async () => {
    const { devenv } = setup(`import x from "./nope.js";\nexport default { tools: { node: "20" } };\n`);
    const result = await devenv(["trust"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: cannot load .*devenv\.ts: Could not resolve "\.\/nope\.js" \(line 1, column \d+\)$/m);
  });
});

describe("the launcher's cache is the user's, never the repository's", () => {
  it("a cache shipped in the repository's .devenv/ is never sourced", async () => {
    const { dir, devenv, launcher } = setup(nodeConfig("20"));
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).code, 0);
    mkdirSync(join(dir, ".devenv", "cache"), { recursive: true });
    const forged = `_dv_cache_snapshot=x; touch ${join(dir, "pwned")}\n`;
    writeFileSync(join(dir, ".devenv", "cache", "env.sh"), forged);
    writeFileSync(join(dir, ".devenv", "env.sh"), forged);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal(existsSync(join(dir, "pwned")), false);
    assert.equal(launcher.nodeStarts(), 2, "the hot path answered from DEVENV_HOME's cache");
  });

  it("the cache lives in DEVENV_HOME, user-only; one another user owns is not sourced", { skip: process.getuid?.() !== 0 && "needs root to give a file to another user" }, async () => {
    const { dir, home, devenv, launcher } = setup(nodeConfig("20"));
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).code, 0);
    const state = join(home, "projects", dir, "=");
    assert.ok(readdirSync(state).includes("env.sh"));
    assert.equal(readdirSync(join(dir, ".devenv")).includes("cache"), false, "nothing of it in the project");
    assert.equal(statSync(state).mode & 0o777, 0o700);
    for (const file of readdirSync(state)) assert.equal(statSync(join(state, file)).mode & 0o077, 0, file);
    chownSync(join(state, "env.sh"), 65534, 65534);
    assert.equal((await devenv(["run", "node"])).stdout, "v20.99.1\n");
    assert.equal(launcher.nodeStarts(), 3, "the other user's file sent the launcher to Node.js");
  });
});

describe("nothing devenv writes or deletes under a project follows a symbolic link out of it", () => {
  it("a .devenv that is a symbolic link: lock and update refuse with one line, trust --revoke deletes nothing there; the target is untouched", async () => {
    const outside = tempDir("devenv-outside-");
    mkdirSync(join(outside, "cache"));
    writeFileSync(join(outside, "cache", "precious"), "keep me");
    const { dir, env } = setup(nodeConfig("20"));
    symlinkSync(outside, join(dir, ".devenv"));
    const trusted = { ...env, DEVENV_TRUST: "1" };
    for (const args of [["lock"], ["update"]]) {
      const result = await devenv(args, { cwd: dir, env: trusted });
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^error: .*\/\.devenv is a symbolic link: devenv writes nothing through it$/m);
    }
    assert.equal((await devenv(["trust", "--revoke"], { cwd: dir, env })).code, 0);
    assert.deepEqual(readdirSync(outside).sort(), ["cache"]);
    assert.equal(readFileSync(join(outside, "cache", "precious"), "utf8"), "keep me");
  });
});

describe("a devenv.lock larger than any real one", () => {
  it("is refused in one line, and the launcher does not crawl through it", { timeout: 30_000 }, async () => {
    const { dir, devenv } = setup(nodeConfig("20"));
    assert.equal((await devenv(["trust"])).code, 0);
    assert.equal((await devenv(["run", "node"])).code, 0);
    writeFileSync(join(dir, "devenv.lock"), `${"x".repeat(50 * 2 ** 20)}\n`);
    const result = await devenv(["run", "node"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: .*devenv\.lock is over 1 MiB, larger than devenv reads there$/m);
  });
});
