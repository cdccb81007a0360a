import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { publishGo, publishNode } from "../support/upstreams.js";
import { polyglotEnv, standardNodeReleases, startMirror, world } from "../support/world.js";

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
    const config = (spec: string) => `globalThis.process.getBuiltinModule("fs").appendFileSync(${JSON.stringify(mark)}, "x");\nexport default { tools: { node: ${JSON.stringify(spec)} } };\n`;
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
      assert.match((await devenv(["rollback", "--list"], { cwd: dir, env })).stdout, /^1 {7}\d{4}-\d\d-\d\d \d\d:\d\d {2}node 20\.99\.1 \("20"\)\ncurrent now {15}node 20\.100\.0 \("20"\)\n$/);
      const json = JSON.parse((await devenv(["rollback", "--list", "--json"], { cwd: dir, env })).stdout) as Array<{ generation: number | string; until: string | null; tools: Record<string, { spec: string; version: string }> }>;
      assert.deepEqual(json.map((g) => [g.generation, g.tools]), [[1, { node: { spec: "20", version: "20.99.1" } }], ["current", { node: { spec: "20", version: "20.100.0" } }]]);
      assert.ok(Date.parse(json[0]!.until!) > Date.now() - 600_000, "until when it was current");

      writeFileSync(join(dir, "devenv.lock"), old);
      const nothing = await devenv(["rollback"], { cwd: dir, env });
      assert.equal(nothing.code, 2);
      assert.match(nothing.stderr, /^error: every generation of devenv\.lock is the lock it holds now$/m);
    } finally {
      await own.close();
    }
  });

  it("rollback --keep N removes all but the newest N; the rest keep their numbers", async () => {
    const { dir, env } = await relocked(["18", "21", "22"]);
    assert.deepEqual(history(dir), ["1.lock", "2.lock", "3.lock"]);
    const keep = await devenv(["rollback", "--keep", "1"], { cwd: dir, env });
    assert.equal(keep.code, 0, keep.stderr);
    assert.equal(keep.stdout, "removed generation 1 (node 20.99.1)\nremoved generation 2 (node 18.20.9)\n");
    assert.match(keep.stderr, /^kept generation 3$/m);
    assert.equal(lockOf(dir).includes('"22.1.0"'), true, "the lock itself is untouched");
    assert.match((await devenv(["rollback", "--list"], { cwd: dir, env })).stdout, /^3 {7}[\d: -]{16}  node 21\.0\.0 \("21"\)\ncurrent now {15}node 22\.1\.0 \("22"\)\n$/);
    assert.equal((await devenv(["-q", "rollback", "--keep", "1"], { cwd: dir, env })).stdout, "", "nothing more to remove");

    for (const args of [["rollback", "--keep", "x"], ["rollback", "--keep", "-1"], ["rollback", "--keep", "1.5"], ["rollback", "3", "--keep", "1"]]) {
      const result = await devenv(args, { cwd: dir, env });
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /^error: (--keep takes how many generations to keep: a whole number, 0 or more|rollback --keep removes generations; it restores none)$/m, args.join(" "));
    }

    assert.equal((await devenv(["rollback", "3"], { cwd: dir, env })).code, 0);
    assert.deepEqual(history(dir), ["3.lock", "4.lock"], "the next generation is numbered after the newest");
    const none = await devenv(["rollback", "--keep", "0"], { cwd: dir, env });
    assert.equal(none.stdout, "removed generation 3 (node 21.0.0)\nremoved generation 4 (node 22.1.0)\n");
    assert.match(none.stderr, /^no generations left$/m);
    assert.match((await devenv(["rollback"], { cwd: dir, env })).stderr, /devenv\.lock has no earlier generations/);
  });
});

describe("gc --keep-generations N", () => {
  it("prunes every registered project's history first, so what only the pruned generations pinned is freed; --dry-run removes nothing", async () => {
    const { env, home } = world(mirror);
    const entry = (version: string) => `${sha256(mirror.files.get(`/v${version}/node-v${version}-linux-x64.tar.gz`)!).slice(0, 32)}-node-${version}`;
    const a = project(nodeConfig("18"));
    assert.equal((await devenv(["install"], { cwd: a, env })).code, 0);
    writeFileSync(join(a, "devenv.ts"), nodeConfig("20"));
    assert.equal((await devenv(["install"], { cwd: a, env })).code, 0);
    const store = () => readdirSync(join(home, "store")).sort();
    assert.deepEqual(store(), [entry("18.20.9"), entry("20.99.1")].sort());
    assert.equal((await devenv(["gc"], { cwd: tempDir(), env })).stdout, "freed 0.0 MB in 0 entries\n", "without the option, history keeps node 18");

    const dry = await devenv(["gc", "--keep-generations", "0", "--dry-run"], { cwd: tempDir(), env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would remove generation 1 of ${realpathSync(a)} \\(node 18\\.20\\.9\\)$`, "m"));
    assert.match(dry.stdout, new RegExp(`^would remove ${entry("18.20.9")} \\(`, "m"));
    assert.match(dry.stdout, /^would free \d+\.\d MB in 1 entry$/m);
    assert.deepEqual(history(a), ["1.lock"]);
    assert.equal(store().length, 2);

    const gc = await devenv(["gc", "--keep-generations", "0"], { cwd: tempDir(), env });
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, new RegExp(`^removed generation 1 of ${realpathSync(a)} \\(node 18\\.20\\.9\\)$`, "m"));
    assert.match(gc.stdout, /^freed \d+\.\d MB in 1 entry$/m);
    assert.deepEqual(history(a), []);
    assert.deepEqual(store(), [entry("20.99.1")]);
    assert.equal((await devenv(["--offline", "run", "node"], { cwd: a, env })).stdout, "v20.99.1\n");
  });

  it("never prunes through a project's .devenv that is a symbolic link; the other projects are pruned", async () => {
    const { env } = world(mirror);
    const a = project(nodeConfig("18"));
    const b = project(nodeConfig("18"));
    for (const dir of [a, b]) {
      assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
      writeFileSync(join(dir, "devenv.ts"), nodeConfig("20"));
      assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    }
    // b's .devenv now points elsewhere: what is there is not devenv's to remove.
    const elsewhere = tempDir("devenv-elsewhere-");
    renameSync(join(b, ".devenv"), join(elsewhere, "state"));
    symlinkSync(join(elsewhere, "state"), join(b, ".devenv"));

    const gc = await devenv(["gc", "--keep-generations", "0"], { cwd: tempDir(), env });
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stderr, new RegExp(`^warning: ${realpathSync(b)}: .*\\.devenv is a symbolic link: devenv writes nothing through it; its generations were kept$`, "m"));
    assert.deepEqual(history(a), []);
    assert.deepEqual(readdirSync(join(elsewhere, "state", "history")), ["1.lock"]);
    assert.match(gc.stdout, /^freed 0\.0 MB in 0 entries$/m, "b's generation still pins node 18");
  });
});
