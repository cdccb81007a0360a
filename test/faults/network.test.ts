import assert from "node:assert/strict";
import { lstatSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";
import { buildTarball } from "../support/tarball.js";
import { archivePath, assertStoreClean, entryDir } from "./support.js";

/** The bytes of the files below `dir` as they are now, while an install writes there. */
function bytesBelow(dir: string): number {
  let bytes = 0;
  for (const name of readdirSafe(dir)) {
    const path = join(dir, name);
    try {
      const stat = lstatSync(path);
      bytes += stat.isDirectory() ? bytesBelow(path) : stat.size;
    } catch {
      // removed meanwhile
    }
  }
  return bytes;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

/** A fresh mirror for one test, closed after it. */
async function withMirror(test: (m: Mirror) => Promise<void>): Promise<void> {
  const m = await startMirror();
  try {
    await test(m);
  } finally {
    await m.close();
  }
}

describe("network faults against a misbehaving mirror", () => {
  it("500, 502 and 503 are retried with backoff, for metadata and archives alike", () =>
    withMirror(async (m) => {
      m.faults.set("/index.json", { status: 503, times: 2 });
      m.faults.set("/v20.99.1/SHASUMS256.txt", { status: 500, times: 1 });
      m.faults.set(archivePath("20.99.1"), { status: 502, times: 1 });
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env: world(m).env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "v20.99.1\n");
      assert.deepEqual([m.count("/index.json"), m.count("/v20.99.1/SHASUMS256.txt"), m.count(archivePath("20.99.1"))], [3, 2, 2]);
    }));

  it("after a bounded number of retries: one line naming the URL and the last status", () =>
    withMirror(async (m) => {
      m.faults.set("/index.json", { status: 503 });
      const result = await devenv(["lock"], { cwd: project(nodeConfig("20")), env: world(m).env });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.split("\n")[0], `error: GET ${m.url}/index.json answered 503 after 4 attempts`);
      assert.match(result.stderr, /^hint: /m);
      assert.equal(m.count("/index.json"), 4);
    }));

  it("connection resets are retried; when they persist, the error names the URL", () =>
    withMirror(async (m) => {
      m.faults.set("/index.json", { reset: true, times: 2 });
      const dir = project(nodeConfig("20"));
      const { env } = world(m);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      m.faults.set(archivePath("20.99.1"), { reset: true });
      const result = await devenv(["install"], { cwd: dir, env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error: GET ${m.url}${archivePath("20.99.1").replaceAll(".", "\\.")} failed: (ECONNRESET|UND_ERR_SOCKET)`, "m"));
      assert.equal(m.count(archivePath("20.99.1")), 4);
    }));

  it("404 is not retried; for an archive, the error says the lock points at a file the mirror does not have", async () => {
    const dir = project(nodeConfig("20"));
    const w = world(mirror);
    await devenv(["lock"], { cwd: dir, env: w.env });
    const empty = await Mirror.start();
    try {
      const result = await devenv(["install"], { cwd: dir, env: { ...w.env, DEVENV_NODE_MIRROR: empty.url } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /answered 404: devenv\.lock points at node 20\.99\.1, which the mirror does not have/);
      assert.equal(empty.count(archivePath("20.99.1")), 1);
      const metadata = await devenv(["lock"], { cwd: project(nodeConfig("20")), env: { ...w.env, DEVENV_NODE_MIRROR: empty.url } });
      assert.match(metadata.stderr, new RegExp(`^error: GET ${empty.url}/index.json answered 404$`, "m"));
      assert.equal(empty.count("/index.json"), 1);
    } finally {
      await empty.close();
    }
  });

  it("a stalled body times out and resumes where it stopped (a Range request); the entry is complete", () =>
    withMirror(async (m) => {
      m.faults.set(archivePath("20.99.1"), { stall: true, times: 1 });
      const { env, home } = world(m, { DEVENV_HTTP_TIMEOUT: "1" });
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "v20.99.1\n");
      assert.equal(m.count(archivePath("20.99.1")), 2);
      assertStoreClean(home, [entryDir(home, m, "20.99.1")]);
    }));

  it("a mirror that keeps stalling: a timeout error, nothing installed", () =>
    withMirror(async (m) => {
      m.faults.set(archivePath("20.99.1"), { stall: true });
      const { env, home } = world(m, { DEVENV_HTTP_TIMEOUT: "0.5" });
      const result = await devenv(["install"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /UND_ERR_BODY_TIMEOUT|timeout/i);
      assertStoreClean(home);
    }));

  it("an endless index is cut off at 64 MiB with one line, not read until memory runs out", () =>
    withMirror(async (m) => {
      m.faults.set("/index.json", { endless: true });
      const result = await devenv(["lock"], { cwd: project(nodeConfig("20")), env: world(m).env });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.split("\n")[0], `error: GET ${m.url}/index.json sent more than 64 MiB, more than an index or a checksum file ever is`);
    }));

  it("a gzip-encoded index that inflates past 64 MiB is cut off at 64 MiB inflated, not at 64 MiB received", async () => {
    // 256 MiB of zeros is ~250 KB of gzip: the cap on bytes received never trips.
    const bomb = gzipSync(Buffer.alloc(256 * 2 ** 20), { level: 9 });
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length });
      res.end(bomb);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await devenv(["lock"], { cwd: project(nodeConfig("20")), env: world(mirror, { DEVENV_NODE_MIRROR: url }).env });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.split("\n")[0], `error: ${url}/index.json inflates to more than 64 MiB, larger than an index or a checksum file`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a body that drips a byte at a time times out on its rate, though no gap reaches the timeout", () =>
    withMirror(async (m) => {
      m.faults.set(archivePath("20.99.1"), { drip: true });
      const { env, home } = world(m, { DEVENV_HTTP_TIMEOUT: "0.5" });
      const result = await devenv(["install"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error: GET ${m.url}${archivePath("20.99.1").replaceAll(".", "\\.")} timed out: less than 4 KiB in 1 s$`, "m"));
      assertStoreClean(home);
    }));

  it("a body that keeps ending short of its Content-Length is never installed", () =>
    withMirror(async (m) => {
      m.faults.set(archivePath("20.99.1"), { truncate: true });
      const { env, home } = world(m);
      const result = await devenv(["install"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error: (download of|GET) ${m.url}${archivePath("20.99.1").replaceAll(".", "\\.")}`, "m"));
      assertStoreClean(home);
    }));

  it("different bytes than the lock's sha256: URL, expected and actual, exit 1, store untouched", () =>
    withMirror(async (m) => {
      m.faults.set(archivePath("20.99.1"), { corrupt: true });
      const { env, home } = world(m);
      const dir = project(nodeConfig("20"));
      const result = await devenv(["install"], { cwd: dir, env });
      assert.equal(result.code, 1);
      const expected = sha256(m.files.get(archivePath("20.99.1"))!);
      assert.match(result.stderr, new RegExp(`^error: checksum mismatch for ${m.url}${archivePath("20.99.1").replaceAll(".", "\\.")}: expected sha256 ${expected}, got (?!${expected})[0-9a-f]{64}$`, "m"));
      assertStoreClean(home);
      m.faults.clear();
      assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0, "the next install, from a good mirror, succeeds");
    }));

  it("a gzip bomb in place of the archive is unpacked only so far before its checksum fails, and nothing is left", () =>
    withMirror(async (m) => {
      const { env, home } = world(m);
      const dir = project(nodeConfig("20"));
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      // 64 MiB of zeros, ~64 KB of gzip: half the body arrives, then the mirror holds the rest back for 3 s.
      const top = `node-v20.99.1-linux-x64`;
      m.files.set(archivePath("20.99.1"), buildTarball([{ path: `${top}/` }, { path: `${top}/zeros`, content: Buffer.alloc(64 * 2 ** 20) }]));
      m.faults.set(archivePath("20.99.1"), { delayMs: 3000 });
      let largest = 0;
      const sample = setInterval(() => (largest = Math.max(largest, bytesBelow(join(home, "tmp")))), 50);
      const result = await devenv(["install"], { cwd: dir, env }).finally(() => clearInterval(sample));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: checksum mismatch for /m);
      // Unpacked while it arrived, at most 32 bytes per byte: ~1 MiB of the 32 MiB the first half holds.
      assert.ok(largest > 0 && largest < 4 * 2 ** 20, `the temporary area held ${largest} bytes`);
      assertStoreClean(home);
    }));

  for (const offline of [["--offline"], []]) {
    it(`${offline.length ? "--offline" : "DEVENV_OFFLINE=1"} never opens a connection: missing things are named, a warm store works`, () =>
      withMirror(async (m) => {
        const dir = project(nodeConfig("20"));
        const { env } = world(m, offline.length ? {} : { DEVENV_OFFLINE: "1" });
        const unlocked = await devenv([...offline, "run", "node"], { cwd: dir, env });
        assert.equal(unlocked.code, 1);
        assert.match(unlocked.stderr, /index\.json is needed, but --offline forbids the network/);
        assert.equal(m.hits.size, 0, "no request at all");
        await devenv(["lock"], { cwd: dir, env: { ...env, DEVENV_OFFLINE: "" } });
        const uninstalled = await devenv([...offline, "env"], { cwd: dir, env });
        assert.match(uninstalled.stderr, /node-v20\.99\.1-linux-x64\.tar\.gz is needed, but --offline forbids the network/);
        assert.equal(m.archiveHits(), 0);
        await devenv(["install"], { cwd: dir, env: { ...env, DEVENV_OFFLINE: "" } });
        const before = [...m.hits.values()].reduce((a, b) => a + b, 0);
        for (const args of [["run", "node"], ["-q", "run", "node"], ["env", "--shell", "json"]]) {
          const warm = await devenv([...offline, ...args], { cwd: dir, env });
          assert.equal(warm.code, 0, warm.stderr);
        }
        assert.equal([...m.hits.values()].reduce((a, b) => a + b, 0), before);
      }));
  }
});
