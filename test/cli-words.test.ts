import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nodeConfig, project, repoRoot, run } from "./support/cli.js";
import type { Mirror } from "./support/mirror.js";
import { startMirror, world } from "./support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

describe("a command's words given alone are read without yargs, as yargs reads them", () => {
  it("which, versions, hook, completion and lock answer the same with and without an option (which goes through yargs)", async () => {
    const { env } = world(mirror);
    const dir = project(nodeConfig("20"));
    // The CLI itself: the launcher would answer `which` from its cache.
    const cli = (args: string[]) => run(process.execPath, [join(repoRoot, "dist", "bundle", "main.js"), ...args], { cwd: dir, env });
    assert.equal((await cli(["install"])).code, 0);
    const cases = [["which", "node"], ["versions", "node"], ["versions", "node", "18"], ["hook", "bash"], ["completion", "fish"], ["lock", "node"], ["hook", "nope"], ["which"], ["which", "node", "npm"], ["versions", "node", "18", "20"], ["list", "node"]];
    for (const args of cases) {
      const alone = await cli(args);
      const parsed = await cli(["--color", ...args]);
      assert.deepEqual([alone.code, alone.stdout, alone.stderr], [parsed.code, parsed.stdout, parsed.stderr], args.join(" "));
    }
    assert.match((await cli(["which", "node"])).stdout, /-node-20\.99\.1\/bin\/node\n$/);
    assert.equal((await cli(["hook", "nope"])).code, 2);
  });
});
