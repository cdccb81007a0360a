import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { editTools } from "../../config/edit.js";
import { cleanEnv, devenv, project, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { publishGo, publishNode } from "../support/upstreams.js";

const file = "/p/devenv.ts";

describe("editing devenv.ts's tools (TypeScript's parser, the file's own layout)", () => {
  const documented = `import { defineConfig } from "devenv";

export default defineConfig({
  tools: {
    node: "20",                 // or { version: "20" }
    python: "3.12",
    go: "1.22",   // the go line
  },
  env: { APP_ENV: "dev" },      // exported verbatim
});
`;

  it("replaces a spec in place, comments and spacing kept", async () => {
    assert.equal(await editTools(documented, file, [{ tool: "node", spec: "22" }]), documented.replace(`node: "20", `, `node: "22", `));
  });

  it("adds a tool on a line of its own, with the others' indent; removes one with its line and comment", async () => {
    const added = await editTools(documented, file, [{ tool: "deno", spec: "2" }]);
    assert.equal(added, documented.replace(`    go: "1.22",   // the go line\n`, `    go: "1.22",   // the go line\n    deno: "2",\n`));
    const removed = await editTools(documented, file, [{ tool: "go", remove: true }, { tool: "python", remove: true }]);
    assert.equal(removed, documented.replace(`    python: "3.12",\n`, "").replace(`    go: "1.22",   // the go line\n`, ""));
  });

  it("works inline, without trailing commas, with single quotes, in functions and without defineConfig", async () => {
    assert.equal(await editTools(`export default { tools: { node: '20' } };\n`, file, [{ tool: "go", spec: "1.22" }]), `export default { tools: { node: '20', go: '1.22' } };\n`);
    assert.equal(await editTools(`export default { tools: { node: "20", go: "1.22" } };\n`, file, [{ tool: "node", remove: true }]), `export default { tools: { go: "1.22" } };\n`);
    assert.equal(await editTools(`export default { tools: { node: "20", go: "1.22" } };\n`, file, [{ tool: "go", remove: true }]), `export default { tools: { node: "20" } };\n`);
    const multiline = `export default defineConfig(() => ({\n\ttools: {\n\t\tnode: "20"\n\t}\n}));\n`;
    assert.equal(await editTools(multiline, file, [{ tool: "go", spec: "1.22" }]), `export default defineConfig(() => ({\n\ttools: {\n\t\tnode: "20",\n\t\tgo: "1.22"\n\t}\n}));\n`);
    const fn = `const config = { env: {} };\nexport default async function () {\n  return { tools: { bun: { version: "1.1", variant: "baseline" } } };\n}\n`;
    assert.equal(await editTools(fn, file, [{ tool: "bun", spec: "1.2" }]), fn.replace(`version: "1.1"`, `version: "1.2"`));
    const named = `const config = { env: { A: "1" } };\nexport default config;\n`;
    assert.equal(await editTools(named, file, [{ tool: "node", spec: "22" }]), `const config = { env: { A: "1" }, tools: { node: "22" } };\nexport default config;\n`);
    assert.equal(await editTools(`export default { tools: {} };\n`, file, [{ tool: "node", spec: "22" }]), `export default { tools: { node: "22" } };\n`);
  });

  it("refuses what it cannot edit faithfully, and a tool that is not there", async () => {
    await assert.rejects(editTools(`import { tools } from "./tools";\nexport default { tools };\n`, file, [{ tool: "node", spec: "22" }]), /cannot edit \/p\/devenv\.ts: tools is not written out as a literal there/);
    await assert.rejects(editTools(`export default { tools: { node: line } };\n`, file, [{ tool: "node", spec: "22" }]), /tools\.node is not written out as a literal/);
    await assert.rejects(editTools(`export default { tools: { node: "20" } };\n`, file, [{ tool: "go", remove: true }]), /go is not a tool of \/p\/devenv\.ts/);
  });
});

describe("devenv add and devenv remove", () => {
  let mirror: Mirror;
  before(async () => {
    mirror = await Mirror.start();
    publishNode(mirror, [{ version: "22.1.0" }, { version: "20.99.1", lts: "Iron" }], "/node");
    publishGo(mirror, [{ version: "1.22.99" }], "/go");
  });
  after(() => mirror.close());
  const env = (home = tempDir("devenv-home-")) => cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: `${mirror.url}/node`, DEVENV_GO_MIRROR: `${mirror.url}/go`, DEVENV_TRUST: undefined });
  const config = `import { defineConfig } from "devenv";\n\nexport default defineConfig({\n  tools: {\n    node: "20", // the LTS line\n  },\n});\n`;
  const locked = (dir: string) => Object.fromEntries(Object.entries((JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: Record<string, { spec: string; version: string }> }).tools).map(([k, v]) => [k, `${v.spec} ${v.version}`]));

  it("add edits devenv.ts, locks just what changed, and keeps the trust the file had", async () => {
    const dir = project(config);
    const e = env();
    assert.equal((await devenv(["trust"], { cwd: dir, env: e })).code, 0);
    const add = await devenv(["add", "go@1.22", "node@22"], { cwd: dir, env: e });
    assert.equal(add.code, 0, add.stderr);
    assert.equal(readFileSync(join(dir, "devenv.ts"), "utf8"), config.replace(`    node: "20", // the LTS line\n`, `    node: "22", // the LTS line\n    go: "1.22",\n`));
    assert.deepEqual(locked(dir), { go: "1.22 1.22.99", node: "22 22.1.0" });
    // Trusted still (no prompt, no DEVENV_TRUST): the launcher and the CLI run it.
    const run = await devenv(["run", "node"], { cwd: dir, env: e });
    assert.equal(run.stdout, "v22.1.0\n", run.stderr);
    const remove = await devenv(["remove", "go"], { cwd: dir, env: e });
    assert.equal(remove.code, 0, remove.stderr);
    assert.deepEqual(locked(dir), { node: "22 22.1.0" });
    assert.doesNotMatch(readFileSync(join(dir, "devenv.ts"), "utf8"), /go/);
  });

  it("a spec that matches nothing leaves devenv.ts, its trust and the lock as they were", async () => {
    const dir = project(config);
    const e = env();
    assert.equal((await devenv(["trust"], { cwd: dir, env: e })).code, 0);
    assert.equal((await devenv(["lock"], { cwd: dir, env: e })).code, 0);
    const lock = readFileSync(join(dir, "devenv.lock"), "utf8");
    const result = await devenv(["add", "node@19"], { cwd: dir, env: e });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no node release matches "19"/);
    assert.equal(readFileSync(join(dir, "devenv.ts"), "utf8"), config);
    assert.equal(readFileSync(join(dir, "devenv.lock"), "utf8"), lock);
    assert.equal((await devenv(["run", "node"], { cwd: dir, env: e })).stdout, "v20.99.1\n", "still trusted");
  });

  it("an untrusted devenv.ts gains no trust from an edit", async () => {
    const dir = project(config);
    const result = await devenv(["add", "go@1.22"], { cwd: dir, env: env() });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /devenv\.ts is not trusted/);
    assert.equal(readFileSync(join(dir, "devenv.ts"), "utf8"), config, "put back as it was");
  });

  it("usage errors: an unknown tool, a bad spec, removing a tool that is not there", async () => {
    const dir = project(config);
    const e = env();
    writeFileSync(join(dir, "x"), "");
    assert.match((await devenv(["add", "rust@1"], { cwd: dir, env: e })).stderr, /^error: unknown tool "rust"; did you mean just, ruff\?\nhint: `devenv search WORD`/);
    const bad = await devenv(["add", "node@twenty"], { cwd: dir, env: e });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"twenty" is not a node version spec/);
    const missing = await devenv(["remove", "go"], { cwd: dir, env: e });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /go is not a tool of .*devenv\.ts/);
  });
});
