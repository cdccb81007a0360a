import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, repoRoot, tempDir } from "./support/cli.js";
import type { Mirror } from "./support/mirror.js";
import { startMirror, world } from "./support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const lockedVersion = (dir: string) => (JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { node: { version: string } } }).tools.node.version;

describe("loading devenv.ts", () => {
  const forms: Record<string, string> = {
    "an object": nodeConfig("20.18"),
    "a function": `import { defineConfig } from "devenv";\nexport default defineConfig(() => ({ tools: { node: "20.18" } }));\n`,
    "an async function": `import { defineConfig } from "devenv";\nexport default defineConfig(async () => { await new Promise((r) => setTimeout(r, 5)); return { tools: { node: "20.18" } }; });\n`,
    "a plain object without defineConfig": `export default { tools: { node: "20.18" } };\n`,
    "TypeScript with types and a local import": `import { defineConfig, type DevenvConfig } from "devenv";\nimport { line } from "./pins";\nconst config: DevenvConfig = { tools: { node: line } };\nexport default defineConfig(config);\n`,
  };
  for (const [form, source] of Object.entries(forms)) {
    it(`accepts ${form}, with devenv not installed in the project`, async () => {
      const dir = project(source, { "pins.ts": `export const line: string = "20.18";\n` });
      assert.equal(existsSync(join(dir, "node_modules")), false);
      const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(lockedVersion(dir), "20.18.0");
    });
  }

  it("loads devenv.example.ts, the documented example", async () => {
    const dir = tempDir();
    copyFileSync(join(repoRoot, "devenv.example.ts"), join(dir, "devenv.ts"));
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    const vars = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(vars.APP_ENV, "dev");
    assert.equal(lockedVersion(dir), "20.99.1");
    assert.ok(vars.PATH?.split(":").includes(join(dir, "node_modules/.bin")));
  });

  it("finds devenv.ts walking up from a subdirectory, and from -C DIR", async () => {
    const dir = project(nodeConfig("20"));
    const sub = join(dir, "src", "deep");
    mkdirSync(sub, { recursive: true });
    const { env } = world(mirror);
    const fromSub = await devenv(["run", "sh", "-c", 'echo "$DEVENV_ROOT"; pwd'], { cwd: sub, env });
    assert.equal(fromSub.code, 0, fromSub.stderr);
    assert.equal(fromSub.stdout, `${dir}\n${sub}\n`);
    const fromC = await devenv(["-C", sub, "run", "sh", "-c", 'echo "$DEVENV_ROOT"; pwd'], { cwd: tempDir(), env });
    assert.equal(fromC.stdout, `${dir}\n${sub}\n`);
  });

  it("without devenv.ts anywhere up to /, names the start directory and hints at devenv init (exit 2)", async () => {
    const dir = tempDir();
    const result = await devenv(["run", "true"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `error: no devenv.ts in ${dir} or any parent directory\nhint: run \`devenv init\` to create one\n`);
  });
});

describe("the evaluated-config cache", () => {
  it("evaluates devenv.ts once while neither it nor what it imports changes", async () => {
    const marks = tempDir("devenv-marks-");
    const mark = join(marks, "evaluated");
    const source = (spec: string) => `import { appendFileSync } from "node:fs";\nimport { line } from "./pins";\nappendFileSync(${JSON.stringify(mark)}, "x");\nexport default { tools: { node: line${spec} } };\n`;
    const dir = project(source(""), { "pins.ts": `export const line = "20.18";\n` });
    const evaluations = () => (existsSync(mark) ? readFileSync(mark, "utf8").length : 0);
    const { env } = world(mirror);
    for (let i = 0; i < 3; i++) assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    assert.equal(evaluations(), 1);
    writeFileSync(join(dir, "pins.ts"), `export const line = "18";\n`);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v18.20.9\n", "an imported file changed");
    assert.equal(evaluations(), 2);
    writeFileSync(join(dir, "devenv.ts"), source(' + ".20"'));
    assert.equal((await devenv(["run", "node"], { cwd: dir, env })).stdout, "v18.20.9\n");
    assert.equal(evaluations(), 3, "devenv.ts changed");
  });
});
