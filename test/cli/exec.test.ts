import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

describe("devenv exec TOOL@SPEC -- CMD", () => {
  it("anywhere: CMD runs with those tools first on PATH, installed into the store and locked nowhere", async () => {
    const { env, home } = world(mirror);
    const result = await devenv(["exec", "node@18", "--", "node", "--version"], { cwd: tempDir(), env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "v18.20.9\n");
    const which = await devenv(["exec", "nodejs@20.98", "--", "sh", "-c", "command -v node"], { cwd: tempDir(), env });
    assert.match(which.stdout, new RegExp(`^${home}/store/[0-9a-f]{32}-node-20\\.98\\.0/bin/node\\n$`), "asdf's name too");
  });

  it("in a project: on top of its environment, devenv.ts and devenv.lock untouched; CMD's exit code is devenv's", async () => {
    const { env } = world(mirror);
    const dir = project(nodeConfig("20"));
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    const before = [readFileSync(join(dir, "devenv.ts"), "utf8"), readFileSync(join(dir, "devenv.lock"), "utf8")];
    const result = await devenv(["exec", "node@18", "--", "sh", "-c", "node; echo $DEVENV_ROOT; exit 5"], { cwd: dir, env });
    assert.equal(result.code, 5, result.stderr);
    assert.equal(result.stdout, `v18.20.9\n${dir}\n`);
    assert.deepEqual([readFileSync(join(dir, "devenv.ts"), "utf8"), readFileSync(join(dir, "devenv.lock"), "utf8")], before);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n", "the project's node is still the lock's");
  });

  it("usage: no command, an unknown tool, a bad spec", async () => {
    const { env } = world(mirror);
    const cases: Array<[string[], RegExp]> = [
      [["exec", "node@18"], /^error: devenv exec needs tools and a command\nhint: devenv exec node@18 python@3\.12 -- npm test\n$/],
      [["exec", "rubyy@3", "--", "ruby"], /^error: unknown tool "rubyy"/],
      [["exec", "node@^^1", "--", "node"], /^error: "\^\^1" is not a node version spec/],
    ];
    for (const [args, expected] of cases) {
      const result = await devenv(args, { cwd: tempDir(), env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected);
    }
  });
});
