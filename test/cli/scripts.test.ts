import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, project } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const config = (scripts: string) => `export default { tools: { node: "20" }, scripts: ${scripts} };\n`;

describe("devenv.ts's scripts", () => {
  it("are commands in the environment, with the tools on PATH and their arguments appended; devenv scripts lists them", async () => {
    const { env, home } = world(mirror);
    const dir = project(config(`{ greet: { run: "echo hello from $(node --version)", description: "says hello" }, args: "printf '[%s]'" }`));
    const greet = await devenv(["run", "greet", "and", "more"], { cwd: dir, env });
    assert.equal(greet.code, 0, greet.stderr);
    assert.equal(greet.stdout, "hello from v20.99.1 and more\n");
    assert.equal((await devenv(["run", "args", "a b", "c"], { cwd: dir, env })).stdout, "[a b][c]");
    const which = await devenv(["which", "greet"], { cwd: dir, env });
    assert.ok(which.stdout.startsWith(join(home, "projects")), `written where no repository can ship it: ${which.stdout}`);
    const listed = await devenv(["scripts"], { cwd: dir, env });
    assert.equal(listed.stdout, "greet  says hello\nargs   printf '[%s]'\n");
    writeFileSync(join(dir, "devenv.ts"), config(`{ args: "printf '<%s>'" }`));
    assert.equal((await devenv(["run", "args", "x"], { cwd: dir, env })).stdout, "<x>", "an edit is seen");
    const gone = await devenv(["run", "greet"], { cwd: dir, env });
    assert.equal(gone.code, 127, "a script devenv.ts no longer has is gone");
  });

  it("a tool wins over a script of the same name; a bad name is a config error", async () => {
    const { env } = world(mirror);
    const dir = project(config(`{ node: "echo shadowed" }`));
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v20.99.1\n");
    const bad = await devenv(["run", "true"], { cwd: project(config(`{ "../x": "true" }`)), env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /scripts\.\.\.\/x = "true": is no command name/);
  });
});
