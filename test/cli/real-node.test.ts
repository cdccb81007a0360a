import assert from "node:assert/strict";
import { existsSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { devenv, nodeConfig, project, run, tempDir } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { publishNode } from "../support/upstreams.js";
import { realNodeTarball, realNodeVersion } from "../support/real-binaries.js";
import { describeTree, unpackedByGnuTar } from "../support/tree.js";
import { prefixOf, world } from "../support/world.js";

let mirror: Mirror;
let archive: Buffer;
before(async () => {
  archive = await realNodeTarball();
  mirror = await Mirror.start();
  // The same bytes again as an older release: a second store entry to move to and from.
  publishNode(mirror, [
    { version: realNodeVersion, lts: "Iron", linuxX64: archive },
    { version: "20.19.4", lts: "Iron", linuxX64: archive },
  ]);
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

it("the entry is the archive: every path, type, mode, link and content as GNU tar unpacks them", async () => {
  const dir = project(nodeConfig(realNodeVersion));
  const { env, home } = world(mirror);
  const install = await devenv(["install"], { cwd: dir, env });
  assert.equal(install.code, 0, install.stderr);
  const entry = join(home, "store", `${sha256(archive).slice(0, 32)}-node-${realNodeVersion}`);
  const expected = unpackedByGnuTar(archive);
  assert.equal(expected.length, 2495 - 1);
  assert.deepEqual(describeTree(entry), expected);
});

it("npm install -g lands in the project's node prefix (in its private state under DEVENV_HOME), runs from PATH, and leaves the store as installed (root included)", async () => {
  const dir = project(nodeConfig("20"));
  const { env, home } = world(mirror, { npm_config_cache: tempDir("npm-cache-"), npm_config_update_notifier: "false" });
  const pkg = tempDir("hello-pkg-");
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "devenv-hello", version: "1.0.0", bin: { "devenv-hello": "cli.js" } }));
  writeFileSync(join(pkg, "cli.js"), "#!/usr/bin/env node\nconsole.log('hello from the prefix');\n");
  const packed = await run("npm", ["pack", "--silent", "--pack-destination", pkg], { cwd: pkg, env });
  assert.equal(packed.code, 0, packed.stderr);

  const prefix = await devenv(["run", "npm", "config", "get", "prefix"], { cwd: dir, env });
  const own = prefixOf(home, dir, "node");
  assert.equal(prefix.stdout, `${own}\n`, prefix.stderr);
  const install = await devenv(["run", "npm", "install", "-g", "--offline", "--no-audit", "--no-fund", join(pkg, packed.stdout.trim())], { cwd: dir, env });
  assert.equal(install.code, 0, install.stderr);
  assert.ok(existsSync(join(own, "bin", "devenv-hello")));
  assert.ok(existsSync(join(own, "lib", "node_modules", "devenv-hello", "package.json")));
  const hello = await devenv(["run", "devenv-hello"], { cwd: dir, env });
  assert.equal(hello.stdout, "hello from the prefix\n", hello.stderr);
  // The prefix follows the toolchain on PATH: the locked node is still the one that runs.
  const which = await devenv(["which", "node"], { cwd: dir, env });
  assert.match(which.stdout, new RegExp(`^${home}/store/`));
  const verify = await devenv(["verify"], { cwd: dir, env });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

it("corepack enable puts its shims in the project's node prefix's corepack directory, which follow the lock to another node, and nothing else may live there", async () => {
  const dir = project(nodeConfig("20.19.4"));
  const { env, home } = world(mirror, { COREPACK_ENABLE_NETWORK: "0" });
  const shims = join(prefixOf(home, dir, "node"), "corepack");
  const entry = (version: string) => realpathSync(join(home, "store", `${sha256(archive).slice(0, 32)}-node-${version}`));

  const enable = await devenv(["run", "corepack", "enable"], { cwd: dir, env });
  assert.equal(enable.code, 0, enable.stderr);
  assert.deepEqual(readdirSync(shims).sort(), ["corepack", "pnpm", "pnpx", "yarn", "yarnpkg"]);
  assert.equal(realpathSync(join(shims, "yarn")), join(entry("20.19.4"), "lib", "node_modules", "corepack", "dist", "yarn.js"));
  const found = await devenv(["run", "sh", "-c", "command -v yarn; command -v node"], { cwd: dir, env });
  assert.equal(found.stdout, `${join(shims, "yarn")}\n${join(entry("20.19.4"), "bin", "node")}\n`, found.stderr);
  const verify = await devenv(["verify"], { cwd: dir, env });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);

  // Another node: the shims point into its entry, and the old one can go.
  writeFileSync(join(dir, "devenv.ts"), nodeConfig(realNodeVersion));
  const moved = await devenv(["run", "sh", "-c", 'readlink -f "$(command -v pnpm)"'], { cwd: dir, env: { ...env, DEVENV_TRUST: "1" } });
  assert.equal(moved.stdout, `${join(entry(realNodeVersion), "lib", "node_modules", "corepack", "dist", "pnpm.js")}\n`, moved.stderr);

  // A file that would come before the locked node: refused, on the launcher's path too.
  writeFileSync(join(shims, "node"), "#!/bin/sh\necho hijacked\n", { mode: 0o755 });
  const hijack = await devenv(["run", "node", "--version"], { cwd: dir, env: { ...env, DEVENV_TRUST: "1" } });
  assert.equal(hijack.code, 1);
  assert.doesNotMatch(hijack.stdout, /hijacked/);
  assert.match(hijack.stderr, /^error: .*corepack\/node is not a link into the store/m);
  assert.match(hijack.stderr, /^hint: remove it/m);
  rmSync(join(shims, "node"));

  // A link into the store under another name (git -> the entry's node) would run node as git: refused too.
  symlinkSync(join(entry(realNodeVersion), "bin", "node"), join(shims, "git"));
  const renamed = await devenv(["run", "node", "--version"], { cwd: dir, env: { ...env, DEVENV_TRUST: "1" } });
  assert.equal(renamed.code, 1);
  assert.match(renamed.stderr, /^error: .*corepack\/git is a link named for something else/m);
});
