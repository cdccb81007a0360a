import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project, repoRoot, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

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
    const source = (spec: string) => `import { line } from "./pins";\nexport default { tools: { node: line${spec} } };\n`;
    const dir = project(source(""), { "pins.ts": `export const line = "20.18";\n` });
    let evaluations = 0;
    const { env } = world(mirror);
    const verbose = async (args: string[]) => {
      const result = await devenv(["-v", ...args], { cwd: dir, env });
      evaluations += result.stderr.split("\n").filter((line) => line.includes(`evaluating ${join(dir, "devenv.ts")} (2 files)`)).length;
      return result;
    };
    for (let i = 0; i < 3; i++) assert.equal((await verbose(["lock"])).code, 0);
    assert.equal(evaluations, 1);
    writeFileSync(join(dir, "pins.ts"), `export const line = "18";\n`);
    assert.equal((await verbose(["run", "node"])).stdout, "v18.20.9\n", "an imported file changed");
    assert.equal(evaluations, 2);
    writeFileSync(join(dir, "devenv.ts"), source(' + ".20"'));
    assert.equal((await verbose(["run", "node"])).stdout, "v18.20.9\n");
    assert.equal(evaluations, 3, "devenv.ts changed");
  });

  // The cache is keyed by the source alone, so the evaluation may read nothing else (README, "devenv.ts").
  const impure: Record<string, [string, RegExp]> = {
    "process.env": [`export default { tools: { node: process.env.NODE_LINE ?? "20" } };\n`, /cannot load .*devenv\.ts: devenv\.ts cannot use process\.env: devenv\.ts is evaluated purely/],
    "node:fs": [`import { readFileSync } from "node:fs";\nexport default { tools: { node: readFileSync(".nvmrc", "utf8").trim() } };\n`, /devenv\.ts cannot import node:fs: devenv\.ts is evaluated purely/],
    "child_process (unprefixed)": [`import { execSync } from "child_process";\nexport default { tools: { node: String(execSync("echo 20")).trim() } };\n`, /devenv\.ts cannot import child_process:/],
    "os": [`import os from "node:os";\nexport default { env: { HOME_DIR: os.homedir() }, tools: { node: "20" } };\n`, /devenv\.ts cannot import node:os:/],
    "fetch()": [`export default async () => ({ tools: { node: await (await fetch("http://127.0.0.1:1/")).text() } });\n`, /devenv\.ts cannot use fetch\(\):/],
    "a CommonJS package's require('fs')": [`import pkg from "./lib.cjs";\nexport default { tools: { node: pkg } };\n`, /devenv\.ts cannot use require\("fs"\):/],
  };
  for (const [what, [source, message]] of Object.entries(impure)) {
    it(`refuses ${what}, in one line with a hint, and writes no lock`, async () => {
      const dir = project(source, { ".nvmrc": "20\n", "lib.cjs": `const name = ["f", "s"].join("");\nconst fs = require(name);\nmodule.exports = fs.readFileSync(__filename, "utf8").length > 0 ? "20" : "18";\n` });
      const result = await devenv(["lock"], { cwd: dir, env: { ...world(mirror).env, NODE_LINE: "18" } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr.split("\n")[0]!, message);
      assert.match(result.stderr, /^hint: /m);
      assert.equal(existsSync(join(dir, "devenv.lock")), false);
    });
  }

  it("leaves a file's own `fetch` and `process` alone: only the globals are refused", async () => {
    const dir = project(`const fetch = () => "20.18";\nfunction line(process: { v: string }) { return process.v; }\nexport default { tools: { node: line({ v: fetch() }) } };\n`);
    const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(lockedVersion(dir), "20.18.0");
  });

  it("allows the built-ins that only compute: path, url, crypto's hashes", async () => {
    const source = `import { join } from "node:path";\nimport { createHash } from "crypto";\nimport { pathToFileURL } from "node:url";\nexport default { tools: { node: "20.18" }, env: { H: createHash("sha256").update("x").digest("hex").slice(0, 8), P: join("a", "b"), U: pathToFileURL("/x").href } };\n`;
    const dir = project(source);
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    const vars = JSON.parse(result.stdout) as Record<string, string>;
    assert.deepEqual([vars.H, vars.P, vars.U], ["2d711642", "a/b", "file:///x"]);
  });

  // The bundle is evaluated from memory: it sees where devenv.ts is, and needs no writable temporary directory.
  it("evaluates with no temporary directory, where devenv.ts sees its own place and a CommonJS package requires pure built-ins", async () => {
    const cjs = `const { join } = require("node:path");\nmodule.exports = join("a", require("path").basename("/b/c"));\n`;
    const source = `import where from "./lib/where.cjs";\nexport default { tools: { node: "20.18" }, env: { WHERE: where, HERE: import.meta.dirname, URL: import.meta.url } };\n`;
    const dir = project(source, { "lib/where.cjs": cjs });
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env: { ...world(mirror).env, TMPDIR: join(tempDir(), "missing") } });
    assert.equal(result.code, 0, result.stderr);
    const vars = JSON.parse(result.stdout) as Record<string, string>;
    assert.deepEqual([vars.WHERE, vars.HERE, vars.URL], ["a/c", dir, pathToFileURL(join(dir, "devenv.ts")).href]);
  });

  // Bundled into one module, each file still sees its own place, as Node would show it (issue 27, item 6).
  it("gives each bundled file its own __dirname, __filename and import.meta: devenv.ts, local imports, packages", async () => {
    const source = [
      `import where from "./lib/where.cjs";`,
      `import { url, dir, file, cjsDir } from "./lib/meta";`,
      `import { mjsFile } from "./lib/m.mjs";`,
      `import pkg from "pkg";`,
      `const env = { CJS_DIR: where.here, CJS_FILE: where.file, ESM_URL: url, ESM_DIR: dir, ESM_FILE: file, ESM_CJS_DIR: cjsDir, MJS_FILE: mjsFile, PKG_DIR: pkg,`,
      `  ROOT_URL: import.meta.url, ROOT_DIR: import.meta.dirname, ROOT_FILE: import.meta.filename, ROOT_CJS_DIR: __dirname, ROOT_CJS_FILE: __filename };`,
      `export default { tools: { node: "20.18" }, env };`,
    ].join("\n");
    const dir = project(source, {
      "lib/where.cjs": `module.exports = { here: __dirname, file: __filename };\n`,
      "lib/meta.ts": `export const url: string = import.meta.url;\nexport const dir: string = import.meta.dirname;\nexport const file: string = import.meta.filename;\nexport const cjsDir: string = __dirname;\n`,
      "lib/m.mjs": `export const mjsFile = import.meta.filename;\n`,
      "node_modules/pkg/package.json": `{ "name": "pkg", "main": "index.js" }\n`,
      "node_modules/pkg/index.js": `"use strict";\nmodule.exports = __dirname;\n`,
    });
    const result = await devenv(["env", "--shell", "json"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 0, result.stderr);
    const vars = JSON.parse(result.stdout) as Record<string, string>;
    const lib = join(dir, "lib");
    assert.deepEqual(
      Object.fromEntries(Object.entries(vars).filter(([name]) => /^(CJS|ESM|MJS|PKG|ROOT)_/.test(name))),
      {
        CJS_DIR: lib, CJS_FILE: join(lib, "where.cjs"),
        ESM_URL: pathToFileURL(join(lib, "meta.ts")).href, ESM_DIR: lib, ESM_FILE: join(lib, "meta.ts"), ESM_CJS_DIR: lib,
        MJS_FILE: join(lib, "m.mjs"),
        PKG_DIR: join(dir, "node_modules", "pkg"),
        ROOT_URL: pathToFileURL(join(dir, "devenv.ts")).href, ROOT_DIR: dir, ROOT_FILE: join(dir, "devenv.ts"), ROOT_CJS_DIR: dir, ROOT_CJS_FILE: join(dir, "devenv.ts"),
      },
    );
  });

  it("reports an error's line and column as the file is written, in a file that uses its own place", async () => {
    const cases: Record<string, [string, Record<string, string>, string]> = {
      "devenv.ts": [`import x from "./nope.js"; export default { env: { D: __dirname, X: x } };\n`, {}, "line 1, column 15"],
      "an imported file after its #! line": [`import x from "./lib/bin.js";\nexport default { env: { X: x } };\n`, { "lib/bin.js": `#!/usr/bin/env node\nconst y = require("./nope.js"); module.exports = [__filename, y];\n` }, "line 2, column 19"],
    };
    for (const [what, [source, files, place]] of Object.entries(cases)) {
      const dir = project(source, files);
      const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 2, `${what}: ${result.stderr}`);
      assert.ok(result.stderr.split("\n")[0]!.endsWith(`: Could not resolve "./nope.js" (${place})`), `${what}: ${result.stderr}`);
    }
  });

  it("names the bundle after devenv.ts in errors and stack frames, never by its data: URL", async () => {
    const cases: Record<string, string> = {
      "an import that cannot resolve": `const name = "./pins.js";\nexport default async () => ({ tools: { node: (await import(name)).line } });\n`,
      "a throw": `export default () => { throw new Error("no line chosen"); };\n`,
    };
    for (const [what, source] of Object.entries(cases)) {
      const dir = project(source);
      const result = await devenv(["-v", "lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 2, `${what}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /data:/, what);
      assert.ok(result.stderr.includes(`${pathToFileURL(join(dir, "devenv.ts")).href}#bundled`), `${what}: ${result.stderr}`);
      assert.ok(result.stderr.split("\n").every((line) => line.length < 400), `${what}: a line of ${Math.max(...result.stderr.split("\n").map((l) => l.length))} characters`);
    }
  });

  it("reports an error devenv.ts throws in one line, whatever its stack is", async () => {
    const cases: Record<string, string> = {
      "a stack that throws when read": `const e = new Error("x");\nObject.defineProperty(e, "stack", { get() { throw 1; } });`,
      "a stack that is a number": `const e = new Error("x");\ne.stack = 42;`,
      "a proxy that throws on stack": `const e = new Proxy(new Error("x"), { get: (target, key) => { if (key === "stack") throw 1; return Reflect.get(target, key); } });`,
    };
    for (const [what, make] of Object.entries(cases)) {
      const dir = project(`export default () => {\n${make}\nthrow e;\n};\n`);
      const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 2, `${what}: ${result.stderr}`);
      assert.equal(result.stderr.split("\n")[0], `error: cannot load ${join(dir, "devenv.ts")}: x`, what);
    }
  });

  it("whatever devenv.ts throws (a null-prototype object, a getter or a Proxy trap that throws) is one line, with and without -v", async () => {
    const cases: Record<string, [string, RegExp]> = {
      "a null-prototype object": [`throw Object.create(null);`, /: \[object Object\]$/],
      "an error whose message getter throws": [`const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw 1; } }); throw e;`, /: \[object Error\]$/],
      "a Proxy whose every trap throws": [`throw new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 1; }, has() { throw 1; } });`, /: (it threw a value that cannot be shown|\[object Object\])$/],
      "a symbol": [`throw Symbol("odd");`, /: Symbol\(odd\)$/],
    };
    for (const [what, [statement, tail]] of Object.entries(cases)) {
      const dir = project(`export default () => {\n${statement}\n};\n`);
      for (const args of [["lock"], ["-v", "lock"]]) {
        const result = await devenv(args, { cwd: dir, env: world(mirror).env });
        assert.equal(result.code, 2, `${what}: ${result.stderr}`);
        assert.doesNotMatch(result.stderr, /internal error/, what);
        assert.match(result.stderr.split("\n").find((line) => line.startsWith("error:")) ?? "", new RegExp(`^error: cannot load .*devenv\\.ts${tail.source}`), what);
      }
    }
  });

  it("a default export (or a top-level await) that never settles is a timeout naming devenv.ts, not exit 13 with no word", async () => {
    for (const source of [`export default () => new Promise(() => {});\n`, `await new Promise(() => {});\nexport default {};\n`]) {
      const dir = project(source);
      const result = await devenv(["lock"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^error: .*devenv\.ts did not finish evaluating: it waits for a promise that nothing will ever settle\nhint: /m);
    }
  });
});
