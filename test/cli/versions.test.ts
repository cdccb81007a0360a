import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { publishBun, publishGo, publishNode, publishPython } from "../support/upstreams.js";
import { polyglotEnv, startMirror, world } from "../support/world.js";

let mirror: Mirror;
let polyglot: Mirror;
before(async () => {
  mirror = await startMirror();
  polyglot = await Mirror.start();
  publishGo(polyglot, [{ version: "1.23rc1" }, { version: "1.22.99" }, { version: "1.22.98" }, { version: "1.20" }], "/go");
  publishPython(polyglot, [{ tag: "20260301", builds: [{ version: "3.12.99" }, { version: "3.11.98" }] }, { tag: "20260101", builds: [{ version: "3.12.98" }, { version: "3.13.0a1" }] }], "/python");
  publishBun(polyglot, [{ version: "1.2.99" }, { version: "1.1.99" }], "/bun");
});
after(() => Promise.all([mirror.close(), polyglot.close()]));

describe("devenv versions", () => {
  it("lists node's releases newest first with their LTS codenames, outside any project", async () => {
    const result = await devenv(["versions", "node"], { cwd: tempDir(), env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, ["22.1.0", "21.0.0", "20.99.1  lts/iron", "20.98.0  lts/iron", "20.18.0  lts/iron", "18.20.9  lts/hydrogen", ""].join("\n"));
  });

  it("with a SPEC, lists what it admits and marks what `devenv lock` picks", async () => {
    const { env } = world(mirror);
    const line = await devenv(["versions", "node", "20"], { cwd: tempDir(), env });
    assert.equal(line.stdout, ['20.99.1  lts/iron  <- "20"', "20.98.0  lts/iron", "20.18.0  lts/iron", ""].join("\n"));
    assert.match(line.stderr, /node "20" resolves to 20\.99\.1/);
    const lts = await devenv(["versions", "node", "lts/hydrogen", "--json"], { cwd: tempDir(), env });
    assert.deepEqual(JSON.parse(lts.stdout), [{ version: "18.20.9", lts: "hydrogen", resolved: true }]);
    const range = await devenv(["versions", "node", ">=20.98 <22", "--json"], { cwd: tempDir(), env });
    assert.deepEqual(JSON.parse(range.stdout).map((r: { version: string }) => r.version), ["21.0.0", "20.99.1", "20.98.0"]);
    // The same resolver as lock: the marked version is what a project with that spec locks.
    const dir = project(nodeConfig("20"));
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    assert.equal((await devenv(["list", "--json"], { cwd: dir, env })).stdout.includes('"version": "20.99.1"'), true);
  });

  it("reads the same cached index as lock: after one lock, --offline still answers", async () => {
    const { env } = world(mirror);
    const dir = project(nodeConfig("20"));
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const offline = await devenv(["versions", "node", "18", "--offline"], { cwd: dir, env });
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(offline.stdout, '18.20.9  lts/hydrogen  <- "18"\n');
  });

  it("go, python and bun: pre-releases only when named, go's 1.20 as go.dev names it", async () => {
    const env = { ...polyglotEnv(polyglot), DEVENV_BUN_MIRROR: `${polyglot.url}/bun` };
    const go = await devenv(["versions", "go"], { cwd: tempDir(), env });
    assert.equal(go.stdout, "1.22.99\n1.22.98\n1.20\n", go.stderr);
    assert.equal((await devenv(["versions", "go", "go1.23rc1"], { cwd: tempDir(), env })).stdout, '1.23rc1  <- "go1.23rc1"\n');
    const python = await devenv(["versions", "python"], { cwd: tempDir(), env });
    assert.equal(python.stdout, "3.12.99\n3.12.98\n3.11.98\n", python.stderr);
    assert.equal((await devenv(["versions", "bun", "1.1"], { cwd: tempDir(), env })).stdout, '1.1.99  <- "1.1"\n');
  });

  it("an unknown tool or a bad spec is a usage error (exit 2) with a hint; a spec that matches nothing names the nearest", async () => {
    const { env } = world(mirror);
    const unknown = await devenv(["versions", "rust"], { cwd: tempDir(), env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: unknown tool "rust"; did you mean just, ruff\?\nhint: `devenv search WORD` lists the tools devenv knows; any GitHub release is `github:OWNER\/REPO`\n$/);
    const alias = await devenv(["versions", "github-cli"], { cwd: tempDir(), env });
    assert.equal(alias.code, 2);
    assert.match(alias.stderr, /^error: unknown tool "github-cli": devenv calls it "gh"\n/);
    const bad = await devenv(["versions", "node", "twenty"], { cwd: tempDir(), env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"twenty" is not a node version spec/);
    const none = await devenv(["versions", "node", "19"], { cwd: tempDir(), env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no node release matches "19"; nearest available: 20\.98\.0, 20\.18\.0, 18\.20\.9/);
  });
});

describe("devenv search", () => {
  it("lists the tools devenv knows by name, by a word of their name, other names or description; none found is exit 2", async () => {
    const env = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-") });
    const lint = await devenv(["search", "lint"], { cwd: tempDir(), env });
    assert.equal(lint.code, 0, lint.stderr);
    assert.match(lint.stdout, /^golangci-lint +Fast runner for many Go linters$/m);
    assert.match(lint.stdout, /^actionlint +Static checker for GitHub Actions workflow files$/m);
    assert.doesNotMatch(lint.stdout, /^jq /m);
    const alias = await devenv(["search", "github-cli", "--json"], { cwd: tempDir(), env });
    assert.deepEqual((JSON.parse(alias.stdout) as Array<{ name: string }>).map((row) => row.name), ["gh"]);
    const all = await devenv(["search"], { cwd: tempDir(), env });
    assert.ok(all.stdout.split("\n").filter(Boolean).length >= 55, "every tool, without a word");
    const none = await devenv(["search", "cobol"], { cwd: tempDir(), env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error: no tool devenv knows by name matches "cobol"\nhint: .*github:OWNER\/REPO/);
  });
});

describe("devenv outdated", () => {
  it("says per tool what is locked, what its spec admits now, and what upstream has", async () => {
    const later = await startMirror([{ version: "20.98.0", lts: "Iron" }, { version: "18.20.9", lts: "Hydrogen" }]);
    try {
      const { env } = world(later);
      const dir = project(`export default { tools: { node: "20" } };\n`);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      const current = await devenv(["outdated"], { cwd: dir, env });
      assert.equal(current.code, 0, current.stderr);
      assert.equal(current.stdout, "tool  spec  locked   wanted   latest\nnode  20    20.98.0  20.98.0  20.98.0\n");
      // Upstream moves on: a newer 20 and a 22.
      publishNode(later, [{ version: "22.1.0" }, { version: "20.99.1", lts: "Iron" }, { version: "20.98.0", lts: "Iron" }, { version: "18.20.9", lts: "Hydrogen" }]);
      const moved = await devenv(["outdated", "--json"], { cwd: dir, env });
      assert.deepEqual(JSON.parse(moved.stdout), [{ name: "node", spec: "20", locked: "20.98.0", wanted: "20.99.1", latest: "22.1.0" }]);
      assert.match((await devenv(["outdated"], { cwd: dir, env })).stdout, /^node +20 +20\.98\.0 +20\.99\.1 +22\.1\.0 +devenv update node$/m);
    } finally {
      await later.close();
    }
  });
});
