import assert from "node:assert/strict";
import { lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, project, tempDir } from "../support/cli.js";
import { polyglotEnv, prefixOf } from "../support/world.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { publishGo, publishNode, publishPython } from "../support/upstreams.js";

let mirror: Mirror;
before(async () => {
  mirror = await Mirror.start();
  publishNode(mirror, [{ version: "20.99.1", lts: "Iron" }], "/node");
  publishGo(mirror, [{ version: "1.23rc1" }, { version: "1.22.99" }, { version: "1.22.98" }, { version: "1.20" }], "/go");
  publishPython(mirror, [
    { tag: "20260301", builds: [{ version: "3.13.99" }, { version: "3.12.99" }] },
    { tag: "20260201", builds: [{ version: "3.12.99" }, { version: "3.12.98" }, { version: "3.11.99", stripped: false, platforms: ["linux-x64", "darwin-arm64"] }] },
  ]);
});
after(() => mirror.close());

const threeTools = `import { defineConfig } from "devenv";\nexport default defineConfig({ tools: { go: "1.22", python: "3.12", node: "20" } });\n`;

function env() {
  const home = tempDir("devenv-home-");
  return { home, env: polyglotEnv(mirror, home) };
}

const entry = (home: string, tool: string, version: string, path: string) => join(home, "store", `${sha256(mirror.files.get(path)!).slice(0, 32)}-${tool}-${version}`);
const goEntry = (home: string) => entry(home, "go", "1.22.99", "/go/go1.22.99.linux-amd64.tar.gz");
const pythonAsset = "/python/20260301/cpython-3.12.99+20260301-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz";
const pythonEntry = (home: string) => entry(home, "python", "3.12.99", pythonAsset);
const nodeEntry = (home: string) => entry(home, "node", "20.99.1", "/node/v20.99.1/node-v20.99.1-linux-x64.tar.gz");

describe("node, python and go together", () => {
  it("one lock holds all three for all four platforms, with canonical upstream URLs", async () => {
    const dir = project(threeTools);
    const result = await devenv(["lock"], { cwd: dir, env: env().env });
    assert.equal(result.code, 0, result.stderr);
    const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: Record<string, { version: string; platforms: Record<string, { url: string; sha256: string }> }> };
    assert.deepEqual(Object.keys(lock.tools), ["go", "node", "python"]);
    for (const tool of Object.values(lock.tools)) assert.deepEqual(Object.keys(tool.platforms), ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"]);
    assert.equal(lock.tools.go!.version, "1.22.99");
    assert.deepEqual(lock.tools.go!.platforms["linux-arm64"], { url: "https://dl.google.com/go/go1.22.99.linux-arm64.tar.gz", sha256: sha256(mirror.files.get("/go/go1.22.99.linux-arm64.tar.gz")!) });
    assert.equal(lock.tools.python!.version, "3.12.99");
    assert.deepEqual(lock.tools.python!.platforms["linux-x64"], {
      url: "https://github.com/astral-sh/python-build-standalone/releases/download/20260301/cpython-3.12.99%2B20260301-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
      sha256: sha256(mirror.files.get(pythonAsset)!),
    });
    assert.equal(mirror.archiveHits(), 0, "locking downloads no archive");
  });

  it("one install fetches the three archives concurrently, %2B in the python request", async () => {
    const dir = project(threeTools);
    const w = env();
    await devenv(["lock"], { cwd: dir, env: w.env });
    for (const path of ["/go/go1.22.99.linux-amd64.tar.gz", pythonAsset, "/node/v20.99.1/node-v20.99.1-linux-x64.tar.gz"]) mirror.faults.set(path, { delayMs: 700 });
    mirror.maxArchivesInFlight = 0;
    try {
      const result = await devenv(["install"], { cwd: dir, env: w.env });
      assert.equal(result.code, 0, result.stderr);
    } finally {
      mirror.faults.clear();
    }
    assert.equal(mirror.maxArchivesInFlight, 3);
    assert.ok(mirror.rawPaths.includes("/python/20260301/cpython-3.12.99%2B20260301-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"));
    const list = await devenv(["list"], { cwd: dir, env: w.env });
    assert.equal(list.stdout, [`go      1.22  1.22.99  installed  ${goEntry(w.home)}`, `node    20    20.99.1  installed  ${nodeEntry(w.home)}`, `python  3.12  3.12.99  installed  ${pythonEntry(w.home)}`, ""].join("\n"));
  });

  it("puts the tools on PATH in devenv.ts order, not the lock's sorted order; go gets GOROOT and GOTOOLCHAIN=local", async () => {
    const dir = project(threeTools);
    const { env: e, home } = env();
    assert.equal((await devenv(["install"], { cwd: dir, env: e })).code, 0);
    const path = await devenv(["run", "sh", "-c", 'echo "$PATH"'], { cwd: dir, env: e });
    assert.equal(path.code, 0, path.stderr);
    assert.deepEqual(path.stdout.split(":").slice(0, 4), [join(goEntry(home), "bin"), join(pythonEntry(home), "bin"), join(prefixOf(home, dir, "node"), "corepack"), join(nodeEntry(home), "bin")]);
    const goEnv = await devenv(["run", "go", "env", "GOROOT", "GOTOOLCHAIN"], { cwd: dir, env: e });
    assert.equal(goEnv.stdout, `${goEntry(home)}\nlocal\n`);
    assert.equal((await devenv(["run", "go", "version"], { cwd: dir, env: e })).stdout, "go version go1.22.99 linux/amd64\n");
  });

  it("gives each toolchain a writable prefix in the project's private state, on PATH after every toolchain: GOBIN, npm's prefix, python's pycache", async () => {
    const dir = project(threeTools);
    const { env: e, home } = env();
    const result = await devenv(["run", "sh", "-c", 'printf "%s\\n" "$PATH" "$GOBIN" "$npm_config_prefix" "$PYTHONPYCACHEPREFIX"'], { cwd: dir, env: e });
    assert.equal(result.code, 0, result.stderr);
    const [path, gobin, npmPrefix, pycache] = result.stdout.split("\n");
    const prefix = (tool: string) => prefixOf(home, dir, tool);
    assert.deepEqual(path!.split(":").slice(0, 6), [join(goEntry(home), "bin"), join(pythonEntry(home), "bin"), join(prefix("node"), "corepack"), join(nodeEntry(home), "bin"), join(prefix("go"), "bin"), join(prefix("node"), "bin")]);
    assert.deepEqual([gobin, npmPrefix, pycache], [join(prefix("go"), "bin"), prefix("node"), join(prefix("python"), "pycache")]);
    for (const tool of ["go", "node", "python"]) assert.ok(lstatSync(prefix(tool)).isDirectory(), tool);
    // The launcher's hot path gives the same variables.
    const again = await devenv(["run", "sh", "-c", 'printf "%s\\n" "$PATH" "$GOBIN" "$npm_config_prefix" "$PYTHONPYCACHEPREFIX"'], { cwd: dir, env: e });
    assert.equal(again.stdout, result.stdout);
  });

  it("what a repository commits under .devenv/ never runs: not on PATH, not as python's bytecode, not as npm's config", async () => {
    const dir = project(threeTools);
    const { env: e, home } = env();
    // `git add -f` of what used to be the toolchains' prefixes: a script named ls, and npm's global config.
    for (const bin of [".devenv/node/bin", ".devenv/go/bin", ".devenv/node/corepack"]) {
      mkdirSync(join(dir, bin), { recursive: true });
      writeFileSync(join(dir, bin, "ls"), "#!/bin/sh\necho pwned-by-the-repository\n", { mode: 0o755 });
    }
    mkdirSync(join(dir, ".devenv/node/etc"), { recursive: true });
    writeFileSync(join(dir, ".devenv/node/etc/npmrc"), "script-shell=/nonexistent/evil\n");
    const result = await devenv(["run", "sh", "-c", 'ls / > /dev/null && echo listed; echo "$PATH"; echo "$npm_config_prefix|$GOBIN|$PYTHONPYCACHEPREFIX"'], { cwd: dir, env: e });
    assert.equal(result.code, 0, result.stderr);
    const [listed, path, vars] = result.stdout.trimEnd().split("\n");
    assert.equal(listed, "listed");
    assert.ok(!path!.split(":").some((entry) => entry.startsWith(join(dir, ".devenv"))), path);
    for (const value of vars!.split("|")) assert.ok(value.startsWith(join(home, "projects")), `${value} is in DEVENV_HOME, where no repository can ship`);
    assert.equal(statSync(join(home, "projects")).mode & 0o077, 0, "and only its user can write");
  });

  it("python, python3 and pip3 work from the entry, and sysconfig points at the entry, not /install", async () => {
    const dir = project(threeTools);
    const { env: e, home } = env();
    for (const bin of ["python", "python3", "python3.12"]) {
      const result = await devenv(["run", bin], { cwd: dir, env: e });
      assert.equal(result.stdout, "Python 3.12.99 (20260301/install_only_stripped)\n", bin);
    }
    assert.equal((await devenv(["run", "pip3"], { cwd: dir, env: e })).stdout, "pip for 3.12.99\n");
    // python-build-standalone ships the `3` names only: devenv adds `python` and `pip`, as a venv has them.
    assert.equal((await devenv(["run", "pip"], { cwd: dir, env: e })).stdout, "pip for 3.12.99\n");
    const lib = join(pythonEntry(home), "lib", "python3.12");
    const sysconfig = readFileSync(join(lib, "_sysconfigdata__linux_x86_64-linux-gnu.py"), "utf8");
    assert.doesNotMatch(sysconfig, /'\/install/);
    assert.match(sysconfig, new RegExp(`'BINDIR': '${pythonEntry(home)}/bin'`));
    assert.match(sysconfig, new RegExp(`'LDFLAGS': '-L${pythonEntry(home)}/lib -L/tools/deps/lib'`));
    assert.match(sysconfig, /'srcdir': '\/build\/install_tmp'/);
    assert.equal(readFileSync(join(lib, "config-3.12-x86_64-linux-gnu", "Makefile"), "utf8"), `prefix=\t\t${pythonEntry(home)}\nLIBDIR=\t\t${pythonEntry(home)}/lib\n`);
  });

  it("a python version shipped only as install_only, on some platforms, locks just those", async () => {
    const dir = project(`export default { tools: { python: "3.11" } };\n`);
    const result = await devenv(["run", "python3"], { cwd: dir, env: env().env });
    assert.equal(result.stdout, "Python 3.11.99 (20260201/install_only)\n");
    const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { python: { platforms: object } } };
    assert.deepEqual(Object.keys(lock.tools.python.platforms), ["darwin-arm64", "linux-x64"]);
  });

  it("go 1.20 (no .0) and an rc by exact name", async () => {
    const { env: e } = env();
    const first = project(`export default { tools: { go: "go1.20" } };\n`);
    assert.equal((await devenv(["run", "go", "version"], { cwd: first, env: e })).stdout, "go version go1.20 linux/amd64\n");
    const rc = project(`export default { tools: { go: "1.23rc1" } };\n`);
    assert.equal((await devenv(["run", "go", "version"], { cwd: rc, env: e })).stdout, "go version go1.23rc1 linux/amd64\n");
    const noRc = await devenv(["lock"], { cwd: project(`export default { tools: { go: "1.23" } };\n`), env: e });
    assert.equal(noRc.code, 1);
    assert.match(noRc.stderr, /no go release matches "1\.23"/);
  });
});
