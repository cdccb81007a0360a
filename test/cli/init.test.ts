import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cleanEnv, devenv, project, repoRoot, run, tempDir } from "../support/cli.js";

const init = async (files: Record<string, string>) => {
  const dir = project("", files);
  const { rmSync } = await import("node:fs");
  rmSync(join(dir, "devenv.ts"));
  const result = await devenv(["init"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir() }) });
  assert.equal(result.code, 0, result.stderr);
  const config = readFileSync(join(dir, "devenv.ts"), "utf8");
  const tools = Object.fromEntries([...config.matchAll(/^ {4}"?([\w:/.-]+)"?: "(.*)",$/gm)].map((m) => [m[1], m[2]]));
  return { tools, stderr: result.stderr };
};

describe("devenv init reads the pins a project already has", () => {
  const table: Array<[string, Record<string, string>, Record<string, string>]> = [
    [".nvmrc with a v", { ".nvmrc": "v20.11.1\n" }, { node: "20.11.1" }],
    [".nvmrc lts/*", { ".nvmrc": "lts/*\n" }, { node: "lts" }],
    [".nvmrc lts/iron", { ".nvmrc": "lts/iron" }, { node: "lts/iron" }],
    [".nvmrc node (newest)", { ".nvmrc": "node\n" }, { node: "latest" }],
    [".node-version", { ".node-version": "18.19\n" }, { node: "18.19" }],
    [".python-version", { ".python-version": "3.12.1\n" }, { python: "3.12.1" }],
    [".tool-versions (asdf)", { ".tool-versions": "# pins\nnodejs 20.1.0\npython 3.11.9 3.10.4\ngolang 1.22.3\n" }, { node: "20.1.0", python: "3.11.9", go: "1.22.3" }],
    ["go.mod toolchain", { "go.mod": "module x\n\ngo 1.22\n\ntoolchain go1.22.3\n" }, { go: "1.22.3" }],
    ["go.mod's go directive is a minimum", { "go.mod": "module x\n\ngo 1.12\n" }, { go: ">=1.12" }],
    ["go.mod without a go directive pins go, not node", { "go.mod": "module x\n\nrequire example.com/y v1.0.0\n" }, { go: "latest" }],
    ["package.json engines.node", { "package.json": JSON.stringify({ name: "x", engines: { node: ">=18 <21" } }) }, { node: ">=18 <21" }],
    ["bun and deno: .bun-version, .dvmrc", { ".bun-version": "v1.2.3\n", ".dvmrc": "2.1.4\n" }, { bun: "1.2.3", deno: "2.1.4" }],
    ["bun and deno from .tool-versions", { ".tool-versions": "bun 1.1.30\ndeno 2.0.0\n" }, { bun: "1.1.30", deno: "2.0.0" }],
    ["package.json packageManager bun@", { "package.json": JSON.stringify({ packageManager: "bun@1.2.3+sha512.abc" }) }, { bun: "1.2.3" }],
    [".nvmrc wins over engines", { ".nvmrc": "20\n", "package.json": JSON.stringify({ engines: { node: ">=16" } }) }, { node: "20" }],
    [".tool-versions with registry tools, by asdf's names too", { ".tool-versions": "nodejs 20\njq 1.6\nshellcheck 0.9.0\ngithub-cli 2.23.0\n" }, { node: "20", gh: "2.23.0", jq: "1.6", shellcheck: "0.9.0" }],
    [
      "mise.toml's [tools]: names, github:, arrays and tables",
      { "mise.toml": '[env]\nX = "1"\n\n[tools]\nnode = ["22", "20"]\nripgrep = "14"\n"github:sharkdp/fd" = "10"\npython = { version = "3.12" }\n\n[tasks.x]\nrun = "y"\n' },
      { node: "22", python: "3.12", ripgrep: "14", "github:sharkdp/fd": "10" },
    ],
    ["a whole polyglot repo", { ".nvmrc": "20", ".python-version": "3.12", "go.mod": "module x\ngo 1.22.1\n" }, { node: "20", python: "3.12", go: ">=1.22.1" }],
  ];
  for (const [name, files, expected] of table) {
    it(name, async () => assert.deepEqual((await init(files)).tools, expected));
  }

  it("names each tool it could not take, and why", async () => {
    const { tools, stderr } = await init({ ".tool-versions": "nodejs 20\nrust 1.80.0\n", ".mise.toml": '[tools]\n"aqua:foo/bar" = "1"\n' });
    assert.deepEqual(tools, { node: "20" });
    assert.match(stderr, /^warning: ignoring rust "1\.80\.0" from \.tool-versions: devenv knows no tool by that name/m);
    assert.match(stderr, /^warning: ignoring aqua:foo\/bar "1" from \.mise\.toml: devenv knows no tool by that name/m);
  });

  it("--tool NAME@SPEC for any tool, repeatable, by other names too; --node stays as --tool node@", async () => {
    const dir = tempDir("devenv-project-");
    const result = await devenv(["init", "--tool", "jq@1.7", "--tool", "golangci-lint", "--tool", "github-cli@2", "--node", "22"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir() }) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(join(dir, "devenv.ts"), "utf8"), /node: "22",\n {4}jq: "1\.7",\n {4}"golangci-lint": "latest",\n {4}gh: "2",\n/);
    const unknown = await devenv(["init", "--force", "--tool", "rustc@1"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir() }) });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: unknown tool "rustc"/);
  });

  it("says where each pin came from, and skips pins it cannot use", async () => {
    const { tools, stderr } = await init({ ".nvmrc": "20\n", ".python-version": "pypy3.10\n" });
    assert.deepEqual(tools, { node: "20" });
    assert.match(stderr, /node "20" from \.nvmrc/);
    assert.match(stderr, /ignoring python "pypy3\.10" from \.python-version/);
  });

  it("without any pin, starts with node lts", async () => {
    const { tools, stderr } = await init({});
    assert.deepEqual(tools, { node: "lts" });
    assert.match(stderr, /no version pins found/);
  });
});

describe("devenv init never breaks a project's own checks", () => {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  /** A TypeScript project whose tsconfig.json takes the default `include`: every .ts file, devenv.ts too. */
  const typescriptProject = () => {
    const dir = tempDir("devenv-tsc-");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", target: "es2022", lib: ["es2022"], strict: true, noEmit: true, types: [] } }));
    writeFileSync(join(dir, "index.ts"), "export const answer: number = 42;\n");
    return dir;
  };
  const typecheck = (dir: string) => run(process.execPath, [tsc, "--pretty", "false", "-p", dir], { cwd: dir, env: process.env });
  const initIn = (dir: string, ...args: string[]) => devenv(["init", ...args], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir() }) });

  it("with nothing installed, the project's own tsc --noEmit passes on the devenv.ts init wrote", async () => {
    const dir = typescriptProject();
    assert.equal((await initIn(dir, "--node", "20")).code, 0);
    const checked = await typecheck(dir);
    assert.equal(checked.code, 0, checked.stdout);
  });

  it("with the types-only package installed as devenv, init writes defineConfig, tsc passes, and a typo fails naming it", async () => {
    const types = join(repoRoot, "dist", "types");
    const manifest = JSON.parse(readFileSync(join(types, "package.json"), "utf8")) as Record<string, unknown>;
    assert.equal(manifest.name, "devenv-types");
    assert.equal(manifest.engines, undefined, "no engines: it installs under any pinned node");
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.scripts, undefined, "nothing runs at install");
    const dir = typescriptProject();
    cpSync(types, join(dir, "node_modules", "devenv"), { recursive: true });
    assert.equal((await initIn(dir, "--node", "20")).code, 0);
    const written = readFileSync(join(dir, "devenv.ts"), "utf8");
    assert.match(written, /^import \{ defineConfig \} from "devenv";/);
    const checked = await typecheck(dir);
    assert.equal(checked.code, 0, checked.stdout);
    writeFileSync(join(dir, "devenv.ts"), written.replace("node:", "nod:"));
    const typo = await typecheck(dir);
    assert.notEqual(typo.code, 0);
    assert.match(typo.stdout, /devenv\.ts\(\d+,\d+\): error .*\bnod\b/);
  });

  it("another project's npm package named devenv is not devenv's types: init writes the plain object", async () => {
    const dir = typescriptProject();
    mkdirSync(join(dir, "node_modules", "devenv"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "devenv", "package.json"), JSON.stringify({ name: "devenv", version: "1.0.0" }));
    assert.equal((await initIn(dir, "--node", "20")).code, 0);
    assert.doesNotMatch(readFileSync(join(dir, "devenv.ts"), "utf8"), /^import /m);
    const checked = await typecheck(dir);
    assert.equal(checked.code, 0, checked.stdout);
  });

  const linters: Array<[string, Record<string, string>, RegExp]> = [
    ["xo in package.json", { "package.json": JSON.stringify({ name: "x", xo: { space: true } }) }, /xo lints devenv\.ts too; to keep it off: .*"ignores": \["devenv\.ts"\]/],
    ["eslint's flat config", { "eslint.config.js": "export default [];\n" }, /eslint lints devenv\.ts too; to keep it off: .*ignores: \["devenv\.ts"\]/],
    ["an .eslintrc", { ".eslintrc.json": "{}\n" }, /eslint lints devenv\.ts too; to keep it off: .*\.eslintignore/],
    ["biome.json", { "biome.json": "{}\n" }, /biome lints devenv\.ts too; to keep it off: .*!devenv\.ts/],
  ];
  for (const [name, files, line] of linters) {
    it(`names the one line that keeps ${name} off devenv.ts`, async () => {
      const dir = tempDir("devenv-lint-");
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      const result = await initIn(dir, "--node", "20");
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, line);
    });
  }

  it("says nothing of linters where none is configured", async () => {
    const result = await initIn(tempDir("devenv-lint-"), "--node", "20");
    assert.doesNotMatch(result.stderr, /lints devenv\.ts/);
  });
});
