import assert from "node:assert/strict";
import { appendFileSync, chmodSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { publishPython } from "../support/upstreams.js";
import { startMirror, world } from "../support/world.js";
import { entryDir } from "./support.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

async function installed() {
  const dir = project(nodeConfig("20"));
  const w = world(mirror);
  assert.equal((await devenv(["install"], { cwd: dir, env: w.env })).code, 0);
  const entry = entryDir(w.home, mirror, "20.99.1");
  const name = entry.split("/").pop()!;
  return { dir, ...w, entry, name };
}

/** Tampering with a read-only entry, as a careless `sudo` or a malicious process could. */
const tamperings: Record<string, (entry: string) => void> = {
  "changed content": (entry) => {
    chmodSync(join(entry, "bin", "node"), 0o755);
    appendFileSync(join(entry, "bin", "node"), "echo tampered\n");
    chmodSync(join(entry, "bin", "node"), 0o555);
  },
  "changed mode": (entry) => chmodSync(join(entry, "bin", "node"), 0o777),
  "an added file": (entry) => {
    chmodSync(join(entry, "bin"), 0o755);
    writeFileSync(join(entry, "bin", "evil"), "#!/bin/sh\n");
    chmodSync(join(entry, "bin"), 0o555);
  },
  "a retargeted link": (entry) => {
    chmodSync(join(entry, "bin"), 0o755);
    unlinkSync(join(entry, "bin", "npm"));
    symlinkSync("/bin/sh", join(entry, "bin", "npm"));
    chmodSync(join(entry, "bin"), 0o555);
  },
};

describe("devenv verify re-hashes the store against the tree hash recorded at install", () => {
  it("an untouched store verifies", async () => {
    const { dir, env, name } = await installed();
    const result = await devenv(["verify"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `ok          ${name}\n`);
  });

  for (const [what, tamper] of Object.entries(tamperings)) {
    it(`${what} is found, and --repair reinstalls the entry from the lock`, async () => {
      const { dir, env, entry, name } = await installed();
      const pristine = readFileSync(join(entry, "bin", "node"), "utf8");
      tamper(entry);
      const found = await devenv(["verify"], { cwd: dir, env });
      assert.equal(found.code, 1);
      assert.equal(found.stdout, `modified    ${name}\n`);
      assert.match(found.stderr, new RegExp(`^error: 1 store entry was modified after install: ${name}\\nhint: run \`devenv verify --repair\``));
      const repaired = await devenv(["verify", "--repair"], { cwd: dir, env });
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.equal(repaired.stdout, `modified    ${name}\nrepaired    ${name}\n`);
      assert.equal((await devenv(["verify"], { cwd: dir, env })).stdout, `ok          ${name}\n`);
      assert.equal(readFileSync(join(entry, "bin", "node"), "utf8"), pristine);
      assert.deepEqual(readdirSync(join(entry, "bin")).sort(), ["node", "npm"]);
    });
  }

  it("an entry without a recorded hash is reported, not guessed at", async () => {
    const { dir, env, home, name } = await installed();
    rmSync(join(home, "trees", name));
    const result = await devenv(["verify"], { cwd: dir, env });
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`^unrecorded  ${name} `));
  });
});

describe("tree hashes computed while extracting agree with a full re-read", () => {
  it("python, whose sysconfig files are rewritten after extraction, verifies", async () => {
    const m = await Mirror.start();
    try {
      publishPython(m, [{ tag: "20260301", builds: [{ version: "3.12.99" }] }]);
      const env = cleanEnv({ DEVENV_HOME: tempDir(), DEVENV_PYTHON_MIRROR: `${m.url}/python` });
      const dir = project(`export default { tools: { python: "3.12" } };\n`);
      assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
      const result = await devenv(["verify"], { cwd: dir, env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^ok {10}[0-9a-f]{32}-python-3\.12\.99\n$/);
    } finally {
      await m.close();
    }
  });
});
