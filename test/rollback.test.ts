import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { devenv, nodeConfig, project } from "./support/cli.js";
import { publishNode } from "./support/upstreams.js";
import { standardNodeReleases, startMirror, world } from "./support/world.js";

const lockOf = (dir: string) => readFileSync(join(dir, "devenv.lock"), "utf8");
const history = (dir: string) => (existsSync(join(dir, ".devenv", "history")) ? readdirSync(join(dir, ".devenv", "history")).sort() : []);

describe("lock generations", () => {
  it("a lock restored from version control and updated again is not recorded twice; rollback skips a generation that is the lock itself", async () => {
    const own = await startMirror();
    try {
      const dir = project(nodeConfig("20"));
      const { env } = world(own);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      const old = lockOf(dir);
      publishNode(own, [...standardNodeReleases, { version: "20.100.0", lts: "Iron" }]);
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(dir, "devenv.lock"), old); // git checkout devenv.lock
        const update = await devenv(["update"], { cwd: dir, env });
        assert.equal(update.code, 0, update.stderr);
        assert.equal(update.stdout, "node 20.99.1 -> 20.100.0\n");
        assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      }
      assert.deepEqual(history(dir), ["1.lock"]);
      assert.equal((await devenv(["rollback", "--list"], { cwd: dir, env })).stdout, "1       node 20.99.1\ncurrent node 20.100.0\n");

      writeFileSync(join(dir, "devenv.lock"), old);
      const nothing = await devenv(["rollback"], { cwd: dir, env });
      assert.equal(nothing.code, 2);
      assert.match(nothing.stderr, /^error: every generation of devenv\.lock is the lock it holds now$/m);
    } finally {
      await own.close();
    }
  });
});
