import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { buildTarball, type TarEntry } from "../support/tarball.js";
import { publishGo, publishNode } from "../support/upstreams.js";
import { polyglotEnv, startMirror, world } from "../support/world.js";
import { entryDir, walk } from "./support.js";

/**
 * What refuses an archive whose entries collide in two directories: each directory's entries
 * are written by its own thread (store/tar-router.ts deals them out), so the later of the two is refused,
 * whichever that was: `expected`, or the one that finds a directory where it would write.
 */
const twoThreads = (expected: RegExp) => new RegExp(`${expected.source}|would replace a directory`);

describe("hostile archives are refused, with nothing written outside the store", () => {
  const top = "node-v20.99.1-linux-x64";
  const outside = tempDir("devenv-outside-");
  const cases: Array<[string, TarEntry[], RegExp]> = [
    ["a ../ path", [{ path: `${top}/` }, { path: `${top}/../../../evil`, content: "pwned" }], /climbs out with '\.\.'/],
    ["an absolute path", [{ path: `${top}/` }, { path: `${outside}/evil`, content: "pwned" }], /has an absolute path/],
    ["a symlink pointing outside, then a file through it", [{ path: `${top}/` }, { path: `${top}/link`, type: "SymbolicLink", linkpath: outside }, { path: `${top}/link/evil`, content: "pwned" }], /links outside the entry/],
    ["a relative symlink climbing out", [{ path: `${top}/` }, { path: `${top}/bin/`, type: "Directory" }, { path: `${top}/bin/link`, type: "SymbolicLink", linkpath: "../../../../evil" }], /links outside the entry/],
    [
      "a chain of symlinks that only escapes on disk",
      [{ path: `${top}/` }, { path: `${top}/a/b/l`, type: "SymbolicLink", linkpath: "../.." }, { path: `${top}/bin/node`, type: "SymbolicLink", linkpath: "../a/b/l/../../../../../usr/bin/id" }],
      /links outside the entry/,
    ],
    ["a hard link to a file outside", [{ path: `${top}/` }, { path: `${top}/hard`, type: "Link", linkpath: "/etc/passwd" }], /hard-links outside the entry/],
    ["a device file", [{ path: `${top}/` }, { path: `${top}/dev`, type: "CharacterDevice" }], /is a CharacterDevice/],
    ["a fifo", [{ path: `${top}/` }, { path: `${top}/pipe`, type: "FIFO" }], /is a FIFO/],
    ["a hard link climbing out", [{ path: `${top}/` }, { path: `${top}/hard`, type: "Link", linkpath: `${top}/../../outside` }], /hard-links outside the entry/],
    ["a file at the top level", [{ path: "README" }, { path: `${top}/bin/node`, content: "x" }], /single top-level directory is expected/],
    ["a file through a symlink that stays inside (node-tar's TAR_SYMLINK)", [{ path: `${top}/` }, { path: `${top}/real/` }, { path: `${top}/link`, type: "SymbolicLink", linkpath: "real" }, { path: `${top}/link/evil`, content: "pwned" }], twoThreads(/symbolic link/)],
    ["a file into a file", [{ path: `${top}/` }, { path: `${top}/bin/node`, content: "x" }, { path: `${top}/bin/node/evil`, content: "pwned" }], twoThreads(/entry "bin\/node\/evil" is written into "bin\/node", which is not a directory/)],
    ["a file in place of a directory", [{ path: `${top}/` }, { path: `${top}/lib/` }, { path: `${top}/lib/x`, content: "x" }, { path: `${top}/lib`, content: "pwned" }], /entry "lib" would replace a directory/],
    ["a hard link before its target", [{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/evil`, type: "Link", linkpath: `${top}/bin/node` }, { path: `${top}/bin/node`, content: "x" }], /hard-links to "bin\/node", which is not a file the archive holds before it/],
    ["two top-level directories", [{ path: `${top}/` }, { path: `${top}/bin/node`, content: "x" }, { path: "other/evil", content: "pwned" }], /outside the archive's top-level directory/],
  ];
  for (const [name, entries, message] of cases) {
    it(name, async () => {
      const hostile = await startMirror([{ version: "20.99.1", linuxX64: buildTarball(entries) }]);
      try {
        const dir = project(nodeConfig("20"));
        const { env, home } = world(hostile);
        const result = await devenv(["install"], { cwd: dir, env });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /^error: refusing http:\/\/127\.0\.0\.1:\d+\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz: /m);
        assert.match(result.stderr, message);
        assert.deepEqual(walk(join(home, "store")), []);
        assert.deepEqual(walk(join(home, "tmp")), []);
        assert.deepEqual(walk(outside), []);
        assert.ok(!walk(home).some((p) => p.endsWith("evil")), "nothing named evil anywhere in DEVENV_HOME");
        assert.ok(!walk(dir).some((p) => p.endsWith("evil")));
      } finally {
        await hostile.close();
      }
    });
  }

  it("a refused archive leaves the archives installed with it whole: the unpacking threads they share go on", async () => {
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: buildTarball([{ path: `${top}/` }, { path: `${top}/../evil`, content: "pwned" }]) }], "/node");
      publishGo(m, [{ version: "1.22.99" }, { version: "1.22.98" }], "/go");
      const dir = project(`export default { tools: { node: "20", go: "1.22.99" } };\n`);
      const home = tempDir("devenv-home-");
      const result = await devenv(["install"], { cwd: dir, env: polyglotEnv(m, home) });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /climbs out with '\.\.'/);
      assert.deepEqual(
        walk(join(home, "store")).filter((path) => /^[^/]+\/$/.test(path)).map((name) => name.split("-")[1]),
        ["go"],
      );
      assert.deepEqual(walk(join(home, "tmp")), []);
      // The go entry is whole: a second install finds it and fetches nothing more for it.
      const served = m.archiveHits();
      writeFileSync(join(dir, "devenv.ts"), `export default { tools: { go: "1.22.99" } };\n`);
      assert.equal((await devenv(["run", "go", "version"], { cwd: dir, env: polyglotEnv(m, home) })).code, 0);
      assert.equal(m.archiveHits(), served);
    } finally {
      await m.close();
    }
  });

  it("an archive whose paths start with ./ installs with its top directory stripped", async () => {
    const archive = buildTarball([{ path: `./${top}/` }, { path: `./${top}/bin/` }, { path: `./${top}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho dot-slash\n" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env: world(m).env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "dot-slash\n");
    } finally {
      await m.close();
    }
  });

  it("an archive without the toolchain's bin directory is refused, rather than leaving the system's tools to run", async () => {
    const archive = buildTarball([{ path: `${top}/` }, { path: `${top}/share/` }, { path: `${top}/share/doc`, content: "no binaries here" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const { env, home } = world(m);
      const result = await devenv(["run", "node"], { cwd: project(nodeConfig("20")), env });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /unpacks without bin\/node: it is not a node archive/);
      assert.deepEqual(walk(join(home, "store")), []);
    } finally {
      await m.close();
    }
  });

  it("a repeated entry replaces the one before it, as tar does, and a hard link is the file it names", async () => {
    const archive = buildTarball([
      { path: `${top}/` },
      { path: `${top}/bin/` },
      { path: `${top}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho first\n" },
      { path: `${top}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho second\n" },
      { path: `${top}/bin/nodejs`, type: "Link", linkpath: `${top}/bin/node` },
    ]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const dir = project(nodeConfig("20"));
      const { env, home } = world(m);
      const result = await devenv(["run", "nodejs"], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "second\n");
      const bin = join(entryDir(home, m, "20.99.1"), "bin");
      assert.equal(statSync(join(bin, "nodejs")).ino, statSync(join(bin, "node")).ino);
      // The tree hash recorded at install (from the hashes taken while writing) is what the files on disk hash to.
      const verify = await devenv(["verify"], { cwd: dir, env });
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    } finally {
      await m.close();
    }
  });

  it("setuid and setgid bits are dropped", async () => {
    const archive = buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o6777, content: "#!/bin/sh\necho v20.99.1\n" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const dir = project(nodeConfig("20"));
      const { env, home } = world(m);
      const result = await devenv(["run", "node"], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(statSync(join(entryDir(home, m, "20.99.1"), "bin/node")).mode & 0o7777, 0o555);
    } finally {
      await m.close();
    }
  });

  it("a mode-000 file lands readable by its owner, so verify (and any use) is not stopped at EACCES", async () => {
    const archive = buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho v20.99.1\n" }, { path: `${top}/lib/secret`, mode: 0o000, content: "x" }]);
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1", linuxX64: archive }]);
      const dir = project(nodeConfig("20"));
      const { env, home } = world(m);
      assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
      assert.equal(statSync(join(entryDir(home, m, "20.99.1"), "lib/secret")).mode & 0o777, 0o400);
      const verified = await devenv(["verify"], { cwd: dir, env });
      assert.equal(verified.code, 0, verified.stderr);
    } finally {
      await m.close();
    }
  });
});

