import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nodeConfig, project, repoRoot, run } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

describe("the command lines devenv is given most are read without yargs, as yargs reads them", () => {
  it("positional words, and options in their plain forms, answer as when yargs reads them (`--color=true` sends a line to it)", async () => {
    const { env } = world(mirror);
    const dir = project(nodeConfig("20"));
    // The CLI itself: the launcher would answer `which`, `env` and `list` from its cache.
    const cli = (args: string[]) => run(process.execPath, [join(repoRoot, "dist", "bundle", "main.js"), ...args], { cwd: dir, env });
    assert.equal((await cli(["install"])).code, 0);
    const cases = [
      ["which", "node"], ["versions", "node"], ["versions", "node", "18"], ["hook", "bash"], ["completion", "fish"], ["lock", "node"],
      ["env", "--shell", "fish"], ["env", "--shell=json"], ["-q", "list", "--json"], ["install", "--frozen"], ["--no-color", "list"], ["gc", "--dry-run"],
      ["-C", dir, "which", "npm"], ["--C=/", "list"], ["run", "--pure", "sh", "-c", "echo $PATH"], ["--quiet", "--offline", "env", "--shell", "bash"],
      // What yargs refuses, or reads otherwise, goes to it either way.
      ["hook", "nope"], ["which"], ["which", "node", "npm"], ["versions", "node", "18", "20"], ["list", "node"], ["env", "--shell", "nope"],
      ["env", "--shell"], ["-q", "-q", "list"], ["list", "--json=yes"], ["install", "--no-such-option"], ["-C"],
    ];
    for (const args of cases) {
      const alone = await cli(args);
      const parsed = await cli(["--color=true", ...args]);
      assert.deepEqual([alone.code, alone.stdout, alone.stderr], [parsed.code, parsed.stdout, parsed.stderr], args.join(" "));
    }
    assert.match((await cli(["which", "node"])).stdout, /-node-20\.99\.1\/bin\/node\n$/);
    assert.match((await cli(["env", "--shell=json"])).stdout, /"PATH"/);
    assert.match((await cli(["--C=/", "list"])).stderr, /no devenv.ts in \//);
    assert.equal((await cli(["hook", "nope"])).code, 2);
    // Colour, forced on: --no-color turns it off.
    const coloured = (args: string[]) => run(process.execPath, [join(repoRoot, "dist", "bundle", "main.js"), ...args], { cwd: dir, env: { ...env, FORCE_COLOR: "1" } });
    assert.match((await coloured(["which", "no-such-binary"])).stderr, /\x1b\[/);
    assert.doesNotMatch((await coloured(["--no-color", "which", "no-such-binary"])).stderr, /\x1b\[/);
  });
});
