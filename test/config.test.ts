import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
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

describe("a bad devenv.ts is a one-line error naming the file and the key, exit 2, nothing written", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["a syntax error", `export default { tools: { node: "20" }`, /cannot load .*devenv\.ts: /],
    ["a throw at load", `throw new Error("boom at load");\nexport default {};`, /cannot load .*devenv\.ts: boom at load/],
    ["a throw in the config function", `export default () => { throw new Error("boom in function"); };`, /cannot load .*devenv\.ts: boom in function/],
    ["no default export", `export const tools = { node: "20" };`, /devenv\.ts has no default export/],
    ["an import that does not exist", `import { x } from "./missing-file";\nexport default { tools: { node: x } };`, /cannot load .*devenv\.ts: .*missing-file/],
    ["a default export that is not an object", `export default ["node"];`, /devenv\.ts: default export = \["node"\]: must be an object/],
    ["an unknown top-level key", `export default { tool: { node: "20" } };`, /devenv\.ts: tool = \{"node":"20"\}: unknown key; allowed: tools, env, path/],
    ["an unknown tool", `export default { tools: { ruby: "3.3" } };`, /devenv\.ts: tools\.ruby = "3\.3": unknown tool; known: node/],
    ["an empty spec", `export default { tools: { node: "" } };`, /devenv\.ts: tools\.node = "": must be a version spec string/],
    ["a spec of the wrong type", `export default { tools: { node: 20 } };`, /devenv\.ts: tools\.node = 20: must be a version spec string/],
    ["a bad version spec", `export default { tools: { node: "twenty" } };`, /devenv\.ts: tools\.node = "twenty": not a version spec/],
    ["an unknown per-tool option", `export default { tools: { node: { version: "20", arch: "x86" } } };`, /devenv\.ts: tools\.node\.arch = "x86": unknown option/],
    ["a non-string env value", `export default { tools: {}, env: { PORT: 3000 } };`, /devenv\.ts: env\.PORT = 3000: must be a string/],
    ["PATH in env", `export default { env: { PATH: "/x" } };`, /devenv\.ts: env\.PATH = "\/x": is set by devenv itself/],
    ["path that is not an array", `export default { path: "bin" };`, /devenv\.ts: path = "bin": must be an array/],
  ];
  for (const [name, source, message] of cases) {
    it(name, async () => {
      const dir = project(source);
      const result = await devenv(["run", "true"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0]!, /^error: /);
      assert.match(lines[0]!, message);
      assert.ok(lines[0]!.includes(join(dir, "devenv.ts")), "names the file");
      assert.match(lines[1]!, /^hint: /);
      assert.equal(existsSync(join(dir, "devenv.lock")), false);
      assert.equal(existsSync(join(dir, ".devenv")), false);
    });
  }

  it("shows the stack of a load error with -v", async () => {
    const dir = project(`throw new Error("boom at load");\nexport default {};`);
    const result = await devenv(["-v", "run", "true"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\n\s+at /);
  });
});
