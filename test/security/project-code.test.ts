import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, devenvBin, project, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { Terminal } from "../support/terminal.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

/**
 * A devenv.ts that leaves a mark on disk whenever it is evaluated. Pure evaluation
 * (config/load.ts) guards caches, it is no sandbox: code that means to reach around
 * it can, which is why nothing runs before trust.
 */
function markingProject() {
  const marks = tempDir("devenv-marks-");
  const mark = join(marks, "evaluated");
  const config = `globalThis.process.getBuiltinModule("fs").appendFileSync(${JSON.stringify(mark)}, "x");\nexport default { tools: { node: "20" } };\n`;
  return { dir: project(config), mark, evaluations: () => (existsSync(mark) ? readFileSync(mark, "utf8").length : 0) };
}

/** A world without the suite's blanket DEVENV_TRUST. */
const untrusted = () => {
  const w = world(mirror);
  const { DEVENV_TRUST: _, ...env } = w.env;
  return { ...w, env };
};

describe("devenv.ts is code: evaluated only once trusted", () => {
  it("without a terminal, an untrusted devenv.ts is an error with the hint `devenv trust`, and is not evaluated", async () => {
    const { dir, evaluations } = markingProject();
    const { env } = untrusted();
    for (const args of [["run", "node"], ["env"], ["lock"], ["shell"]]) {
      const result = await devenv(args, { cwd: dir, env });
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stderr, `error: ${join(dir, "devenv.ts")} is not trusted: devenv runs it as code\nhint: read it (and what it imports), then run \`devenv trust\` (CI and DEVENV_TRUST=1 trust every devenv.ts)\n`);
    }
    assert.equal(evaluations(), 0);
  });

  it("`devenv trust` records the path and content hash; a change asks again; --revoke takes it back", async () => {
    const { dir, evaluations } = markingProject();
    const { env, home } = untrusted();
    const trusted = await devenv(["trust"], { cwd: dir, env });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(evaluations(), 0, "trusting evaluates nothing");
    const [record] = readdirSync(join(home, "trust"));
    assert.match(readFileSync(join(home, "trust", record!), "utf8"), new RegExp(`^${join(dir, "devenv.ts")}\\n[0-9a-f]{64}\\n$`));
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    assert.equal(evaluations(), 1);

    writeFileSync(join(dir, "devenv.ts"), readFileSync(join(dir, "devenv.ts"), "utf8").replace('"20"', '"18"'));
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).code, 2, "changed content is untrusted again");
    assert.equal((await devenv(["trust"], { cwd: dir, env })).code, 0);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v18.20.9\n");

    assert.equal((await devenv(["trust", "--revoke"], { cwd: dir, env })).code, 0);
    const revoked = await devenv(["run", "node"], { cwd: dir, env });
    assert.equal(revoked.code, 2, "and the launcher's cached environment went with the trust");
  });

  it("CI, or DEVENV_TRUST=1, trusts every devenv.ts", async () => {
    const { dir, evaluations } = markingProject();
    const { env } = untrusted();
    assert.equal((await devenv(["-q", "lock"], { cwd: dir, env: { ...env, DEVENV_TRUST: "1" } })).code, 0);
    assert.equal(evaluations(), 1);
    assert.equal((await devenv(["-q", "lock", "node"], { cwd: dir, env })).code, 2, "control: neither set");
    assert.equal((await devenv(["-q", "lock", "node"], { cwd: dir, env: { ...env, CI: "true" } })).code, 1, "CI trusts it (and, frozen, refuses to re-lock)");
    assert.equal((await devenv(["-q", "run", "node"], { cwd: dir, env: { ...env, CI: "true" } })).code, 0);
  });

  it("installing from devenv.lock never runs project code", async () => {
    const { dir, evaluations } = markingProject();
    const { env, home } = untrusted();
    assert.equal((await devenv(["lock"], { cwd: dir, env: { ...env, DEVENV_TRUST: "1" } })).code, 0);
    const before = evaluations();
    const result = await devenv(["install"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /is not trusted: installing what devenv\.lock pins without evaluating it/);
    assert.equal(evaluations(), before);
    assert.equal(readdirSync(join(home, "store")).length, 1);
    for (const args of [["list"], ["cache-key"], ["rollback", "--list"]]) {
      assert.equal((await devenv(args, { cwd: dir, env })).code, 0, args.join(" "));
    }
    assert.equal(evaluations(), before);
  });

  it("a .devenv/config.json committed to the repository is never believed over devenv.ts", async () => {
    const { dir, evaluations } = markingProject();
    const { env } = world(mirror);
    const text = readFileSync(join(dir, "devenv.ts"));
    const planted = { key: "0".repeat(48), inputs: { [join(dir, "devenv.ts")]: createHash("sha256").update(text).digest("hex") }, value: { tools: { node: "20" }, env: { PLANTED: "yes" }, path: ["/tmp/evil"] } };
    mkdirSync(join(dir, ".devenv"), { recursive: true });
    writeFileSync(join(dir, ".devenv", "config.json"), JSON.stringify(planted));
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const vars = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(vars.PLANTED, undefined);
    assert.ok(!vars.PATH!.includes("/tmp/evil"));
    assert.equal(evaluations(), 1, "devenv.ts itself was evaluated");
  });

  it("at a terminal, asks `Trust devenv.ts at <path>? [y/N]`: y records trust and goes on, anything else refuses", async () => {
    const { dir } = markingProject();
    const { env } = untrusted();
    const no = new Terminal(devenvBin, ["run", "node"], { cwd: dir, env: { ...env, TERM: "xterm" } });
    await no.waitFor(`Trust devenv.ts at ${join(dir, "devenv.ts")}, and the files it imports? [y/N] `);
    no.type("");
    assert.equal(await no.exited, 2);
    const yes = new Terminal(devenvBin, ["run", "node"], { cwd: dir, env: { ...env, TERM: "xterm" } });
    await yes.waitFor("[y/N] ");
    yes.type("y");
    await yes.waitFor("v20.99.1");
    assert.equal(await yes.exited, 0);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n", "remembered");
  });
});

