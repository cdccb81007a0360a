import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, nodeConfig, project } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { startMirror, world } from "../support/world.js";

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

const readLockText = (dir: string) => readFileSync(join(dir, "devenv.lock"), "utf8");

describe("a bad devenv.ts is a one-line error naming the file and the key, exit 2, nothing written", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["a syntax error", `export default { tools: { node: "20" }`, /cannot load .*devenv\.ts: /],
    ["a throw at load", `throw new Error("boom at load");\nexport default {};`, /cannot load .*devenv\.ts: boom at load/],
    ["a throw in the config function", `export default () => { throw new Error("boom in function"); };`, /cannot load .*devenv\.ts: boom in function/],
    ["no default export", `export const tools = { node: "20" };`, /devenv\.ts has no default export/],
    ["an import that does not exist", `import { x } from "./missing-file";\nexport default { tools: { node: x } };`, /cannot load .*devenv\.ts: .*missing-file/],
    ["a default export that is not an object", `export default ["node"];`, /devenv\.ts: default export = \["node"\]: must be an object/],
    ["an unknown top-level key", `export default { tool: { node: "20" } };`, /devenv\.ts: tool = \{"node":"20"\}: unknown key; allowed: tools, env, path/],
    ["an unknown tool", `export default { tools: { ruby: "3.3" } };`, /devenv\.ts: tools\.ruby = "3\.3": unknown tool; did you mean ruff\?$/],
    ["another tool manager's name for a tool", `export default { tools: { "github-cli": "2" } };`, /devenv\.ts: tools\.github-cli = "2": unknown tool: devenv calls it "gh"$/],
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
      assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace without -v");
      assert.equal(existsSync(join(dir, "devenv.lock")), false);
      assert.equal(existsSync(join(dir, ".devenv")), false);
    });
  }

  it("an unsatisfiable spec: exit 1 (a resolution failure, SPEC §6), the nearest versions, no file written", async () => {
    const dir = project(`export default { tools: { node: "^21.5" } };\n`);
    const result = await devenv(["run", "true"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'error: no node release matches "^21.5"; nearest available: 22.1.0, 21.0.0, 20.99.1, 20.98.0\nhint: change the node spec in devenv.ts to one of the available versions\n');
    assert.equal(existsSync(join(dir, "devenv.lock")), false);
  });

  it("shows the stack of a load error with -v", async () => {
    const dir = project(`throw new Error("boom at load");\nexport default {};`);
    const result = await devenv(["-v", "run", "true"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\n\s+at /);
  });
});

describe("a broken devenv.lock is a one-line error naming the file (exit 1), and is left as it is", () => {
  const valid = { lockfileVersion: 1, tools: { node: { spec: "20", version: "20.99.1", platforms: { "linux-x64": { url: "https://nodejs.org/dist/v20.99.1/node-v20.99.1-linux-x64.tar.gz", sha256: "a".repeat(64) } } } } };
  const cases: Array<[string, string, RegExp]> = [
    ["not JSON", "{ nope", /devenv\.lock: not valid JSON/],
    ["an unknown lockfileVersion", JSON.stringify({ ...valid, lockfileVersion: 7 }), /devenv\.lock: unsupported lockfileVersion 7/],
    ["a sha256 that is not 64 hex", JSON.stringify(valid).replace("a".repeat(64), "A".repeat(64)), /sha256 is not 64 lowercase hex/],
    ["a URL on another host", JSON.stringify(valid).replace("https://nodejs.org", "https://evil.example"), /url "https:\/\/evil\.example.*" is not where upstream publishes node 20\.99\.1 for linux-x64/],
    ["a loopback URL", JSON.stringify(valid).replace("https://nodejs.org", "http://127.0.0.1:9"), /url "http:\/\/127\.0\.0\.1:9\/.*" is not where upstream publishes/],
    ["the URL of another version", JSON.stringify(valid).replaceAll("v20.99.1", "v20.98.0"), /url ".*node-v20\.98\.0-linux-x64\.tar\.gz" is not where upstream publishes node 20\.99\.1/],
    ["the URL of another platform", JSON.stringify(valid).replace("node-v20.99.1-linux-x64", "node-v20.99.1-darwin-arm64"), /is not where upstream publishes node 20\.99\.1 for linux-x64/],
    ["no platforms", JSON.stringify({ ...valid, tools: { node: { ...valid.tools.node, platforms: {} } } }), /tools\.node\.platforms is empty/],
    ["an unknown platform", JSON.stringify(valid).replace("linux-x64", "plan9-mips"), /unknown platform/],
    ["a version that is a path", JSON.stringify(valid).replace('"version":"20.99.1"', '"version":"/../../../../tmp/escaped"'), /tools\.node\.version "\/\.\.\/.*" is not a version/],
    ["a version that climbs", JSON.stringify(valid).replace('"version":"20.99.1"', '"version":"1..2"'), /is not a version/],
  ];
  it("a lock without this platform's archive names the platform", async () => {
    const dir = project(nodeConfig("20"), { "devenv.lock": JSON.stringify(valid).replaceAll("linux-x64", "darwin-arm64") });
    const result = await devenv(["install"], { cwd: dir, env: world(mirror).env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: devenv\.lock has no node 20\.99\.1 archive for linux-x64\nhint: /);
  });

  for (const [name, text, message] of cases) {
    it(name, async () => {
      const dir = project(nodeConfig("20"), { "devenv.lock": text });
      const result = await devenv(["install"], { cwd: dir, env: world(mirror).env });
      assert.equal(result.code, 1, result.stderr);
      const [first, hint, ...rest] = result.stderr.trimEnd().split("\n");
      assert.match(first!, message);
      assert.ok(first!.startsWith(`error: ${join(dir, "devenv.lock")}: `), first);
      assert.match(hint!, /^hint: /);
      assert.deepEqual(rest, [], "one line and a hint, no stack trace");
      assert.equal(readLockText(dir), text);
    });
  }
});
