import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { devenv, nodeConfig, project } from "./support/cli.js";
import { Mirror, sha256 } from "./support/mirror.js";
import { publishNode } from "./support/upstreams.js";
import { realNodeTarball, realNodeVersion } from "./support/real-binaries.js";
import { world } from "./support/world.js";

let mirror: Mirror;
let archive: Buffer;
before(async () => {
  archive = await realNodeTarball();
  mirror = await Mirror.start();
  publishNode(mirror, [{ version: realNodeVersion, lts: "Iron", linuxX64: archive }]);
});
after(() => mirror.close());

it("runs a real node binary from the store, served by the mirror in the nodejs.org layout", async () => {
  const dir = project(nodeConfig("lts/iron"));
  const { env, home } = world(mirror);
  const version = await devenv(["run", "node", "--version"], { cwd: dir, env });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, `v${realNodeVersion}\n`);
  const entry = join(home, "store", `${sha256(archive).slice(0, 32)}-node-${realNodeVersion}`);
  const execPath = await devenv(["run", "node", "-e", "console.log(process.execPath)"], { cwd: dir, env });
  assert.equal(execPath.stdout, `${join(entry, "bin", "node")}\n`);
  assert.equal(mirror.archiveHits(), 1);
  const lock = await devenv(["list", "--json"], { cwd: dir, env });
  assert.deepEqual(JSON.parse(lock.stdout), [{ name: "node", spec: "lts/iron", version: realNodeVersion, path: entry, installed: true, source: `${mirror.url}/v${realNodeVersion}/node-v${realNodeVersion}-linux-x64.tar.gz` }]);
});
