import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import nodeModule from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project } from "./support/cli.js";
import type { Mirror } from "./support/mirror.js";
import { newerNodeBinary, newerNodeVersion } from "./support/real-binaries.js";
import { startMirror, world } from "./support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => statSync(join(dir, name)).isFile());

describe("the compiled code of devenv's own modules", () => {
  it(`is kept in DEVENV_HOME for this user alone by Node.js ${newerNodeVersion}, and accepted by the next command`, async () => {
    const dir = project(nodeConfig("20.18"));
    // Node.js says what its compile cache does on stderr; the version is pinned, and so is what it says.
    const { env, home } = world(mirror, { DEVENV_NODE: await newerNodeBinary(), NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    const first = await devenv(["lock"], { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    const cache = join(home, "cache", "compile");
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.ok(filesUnder(cache).length > 0, first.stderr);
    // An edit: devenv.ts is bundled again, by the same esbuild API, now compiled from the cache.
    appendFileSync(join(dir, "devenv.ts"), "// edited\n");
    const second = await devenv(["lock"], { cwd: dir, env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /V8 code cache for CommonJS \S*\/esbuild\/lib\/main\.js was accepted/);
  });

  it("is thrown away past 256 entries for one Node.js, and made again", async () => {
    const dir = project(nodeConfig("20.18"));
    const { env, home } = world(mirror, { DEVENV_NODE: await newerNodeBinary() });
    const cache = join(home, "cache", "compile");
    // As many edits of devenv.ts leave: Node.js keeps each bundle's code under its own key.
    mkdirSync(join(cache, "v24-older-edits"), { recursive: true, mode: 0o700 });
    for (let i = 0; i < 257; i++) writeFileSync(join(cache, "v24-older-edits", `entry${i}`), "");
    mkdirSync(join(cache, "v24-few"));
    writeFileSync(join(cache, "v24-few", "entry"), "");
    // Not Node.js's: passed over, and no reason to go without the cache.
    writeFileSync(join(cache, "stray"), "");
    symlinkSync(join(cache, "v24-older-edits"), join(cache, "a-link"));
    const result = await devenv(["lock"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual([existsSync(join(cache, "v24-older-edits")), existsSync(join(cache, "v24-few", "entry")), existsSync(join(cache, "stray"))], [false, true, true]);
    const made = readdirSync(cache).filter((name) => !["v24-few", "stray", "a-link"].includes(name));
    assert.equal(made.length, 1, `Node.js's own directory, made again: ${made.join(", ")}`);
    assert.ok(readdirSync(join(cache, made[0]!)).length > 0);
  });

  it("is not asked of a Node.js without a compile cache", async (t) => {
    if ("enableCompileCache" in nodeModule) return t.skip(`the suite runs on Node.js ${process.versions.node}, which has one`);
    const { env, home } = world(mirror);
    const result = await devenv(["lock"], { cwd: project(nodeConfig("20.18")), env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(join(home, "cache", "compile")), false);
  });
});
