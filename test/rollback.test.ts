import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "./support/cli.js";
import { Mirror } from "./support/mirror.js";
import { publishGo, publishNode } from "./support/upstreams.js";
import { polyglotEnv, standardNodeReleases, startMirror, world } from "./support/world.js";

const lockOf = (dir: string) => readFileSync(join(dir, "devenv.lock"), "utf8");
const history = (dir: string) => (existsSync(join(dir, ".devenv", "history")) ? readdirSync(join(dir, ".devenv", "history")).sort() : []);
const warnings = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("warning: "));

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

/** A project locked at node "20", then at each of `specs` in turn: one generation per change. */
async function relocked(specs: readonly string[]) {
  const dir = project(nodeConfig("20"));
  const w = world(mirror);
  assert.equal((await devenv(["lock"], { cwd: dir, env: w.env })).code, 0);
  for (const spec of specs) {
    writeFileSync(join(dir, "devenv.ts"), nodeConfig(spec));
    assert.equal((await devenv(["lock"], { cwd: dir, env: w.env })).code, 0);
  }
  return { dir, ...w };
}

describe("rollback checks devenv.ts", () => {
  it("a generation whose spec devenv.ts no longer asks for: one warning per tool, with what to set; exit 0, nothing on stdout", async () => {
    const { dir, env } = await relocked(["22"]);
    const rollback = await devenv(["rollback"], { cwd: dir, env });
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.equal(rollback.stdout, "");
    assert.deepEqual(warnings(rollback.stderr), [
      'warning: devenv.ts asks for node "22" but generation 1 locked node "20" (20.99.1): the next run would re-lock it; set tools.node to "20" in devenv.ts to keep this generation',
    ]);
    assert.match(rollback.stderr, /^lock, install, run, shell and env follow devenv\.ts: change it as above, or restore the devenv\.ts that went with generation 1$/m);

    // Done as it says, the generation stays: run does not re-lock, and a check finds nothing to say.
    writeFileSync(join(dir, "devenv.ts"), nodeConfig("20"));
    const restored = lockOf(dir);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    assert.equal(lockOf(dir), restored);
    const again = await devenv(["rollback", "1"], { cwd: dir, env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(warnings(again.stderr), []);
  });

  it("a tool devenv.ts added, and one it dropped, are named too", async () => {
    const polyglot = await Mirror.start();
    try {
      publishNode(polyglot, standardNodeReleases, "/node");
      publishGo(polyglot, [{ version: "1.22.99" }], "/go");
      const env = polyglotEnv(polyglot);
      const dir = project(nodeConfig("20"));
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      writeFileSync(join(dir, "devenv.ts"), `export default { tools: { go: "1.22" } };\n`);
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
      const rollback = await devenv(["rollback"], { cwd: dir, env });
      assert.equal(rollback.code, 0, rollback.stderr);
      assert.deepEqual(warnings(rollback.stderr), [
        'warning: devenv.ts asks for go "1.22" but generation 1 has no go: the next run would lock it; remove tools.go from devenv.ts to keep this generation',
        'warning: generation 1 locked node "20" (20.99.1) but devenv.ts has no node: the next run would drop it; set tools.node to "20" in devenv.ts to keep this generation',
      ]);
    } finally {
      await polyglot.close();
    }
  });

  it("never runs a devenv.ts nobody trusted: the cached evaluation of a trusted one is enough, else it says it could not check", async () => {
    const marks = tempDir("devenv-marks-");
    const mark = join(marks, "evaluated");
    const evaluations = () => (existsSync(mark) ? readFileSync(mark, "utf8").length : 0);
    const config = (spec: string) => `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(mark)}, "x");\nexport default { tools: { node: ${JSON.stringify(spec)} } };\n`;
    const dir = project(config("20"));
    const { env } = world(mirror);
    const { DEVENV_TRUST: _, ...untrusted } = env;
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    writeFileSync(join(dir, "devenv.ts"), config("22"));
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const evaluated = evaluations();

    const trusted = await devenv(["rollback"], { cwd: dir, env });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stderr, /^warning: devenv\.ts asks for node "22" but generation 1 locked node "20"/m);
    assert.equal(evaluations(), evaluated, "from the evaluated-config cache: devenv.ts did not run again");

    const refused = await devenv(["rollback"], { cwd: dir, env: untrusted });
    assert.equal(refused.code, 0, refused.stderr);
    assert.deepEqual(warnings(refused.stderr), ["warning: could not check devenv.ts against generation 2: it is not trusted (after `devenv trust`, `devenv lock --frozen` lists any difference)"]);
    writeFileSync(join(dir, "devenv.ts"), `${config("22")}// changed\n`);
    assert.equal((await devenv(["rollback"], { cwd: dir, env: untrusted })).code, 0);
    assert.equal(evaluations(), evaluated, "an untrusted devenv.ts never runs");

    writeFileSync(join(dir, "devenv.ts"), "export default {\n");
    const broken = await devenv(["rollback"], { cwd: dir, env });
    assert.equal(broken.code, 0, broken.stderr);
    assert.match(broken.stderr, /^warning: could not check devenv\.ts against generation \d: cannot load .*devenv\.ts: /m);
  });
});

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
