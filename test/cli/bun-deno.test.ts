import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, devenvBin, project, run, tempDir } from "../support/cli.js";
import { needs } from "../support/programs.js";
import { Terminal } from "../support/terminal.js";
import { recordingLauncher } from "../support/launcher.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { publishBun, publishDeno } from "../support/upstreams.js";
import { buildZip, type ZipEntry } from "../support/zip.js";
import { walk } from "../faults/support.js";
import { realBunVersion, realBunZip, realDenoVersion, realDenoZip } from "../support/real-binaries.js";

let mirror: Mirror;
before(async () => {
  mirror = await Mirror.start();
  publishBun(mirror, [{ version: "1.2.99" }, { version: "1.2.98" }, { version: "1.1.99" }]);
  publishDeno(mirror, [{ version: "2.1.99" }, { version: "2.0.99" }, { version: "1.46.99" }]);
});
after(() => mirror.close());

const config = (tools: Record<string, string>) => `import { defineConfig } from "devenv";\nexport default defineConfig({ tools: ${JSON.stringify(tools)} });\n`;
const env = (home = tempDir("devenv-home-"), m = mirror) => cleanEnv({ DEVENV_HOME: home, DEVENV_BUN_MIRROR: `${m.url}/bun`, DEVENV_DENO_MIRROR: `${m.url}/deno` });

describe("bun and deno: records, like any tool released as files, with mirror variables of their own", () => {
  it("lock all four platforms from upstream's checksums, with canonical URLs", async () => {
    const dir = project(config({ bun: "1.2", deno: "2" }));
    const result = await devenv(["lock"], { cwd: dir, env: env() });
    assert.equal(result.code, 0, result.stderr);
    const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: Record<string, { version: string; platforms: Record<string, { url: string; sha256: string }> }> };
    assert.equal(lock.tools.bun!.version, "1.2.99");
    assert.equal(lock.tools.deno!.version, "2.1.99");
    for (const tool of Object.values(lock.tools)) assert.deepEqual(Object.keys(tool.platforms), ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"]);
    assert.deepEqual(lock.tools.bun!.platforms["darwin-arm64"], { url: "https://github.com/oven-sh/bun/releases/download/bun-v1.2.99/bun-darwin-aarch64.zip", sha256: sha256(mirror.files.get("/bun/bun-v1.2.99/bun-darwin-aarch64.zip")!), sha256From: "https://github.com/oven-sh/bun/releases/download/bun-v1.2.99/SHASUMS256.txt" });
    assert.deepEqual(lock.tools.deno!.platforms["linux-arm64"], { url: "https://dl.deno.land/release/v2.1.99/deno-aarch64-unknown-linux-gnu.zip", sha256: sha256(mirror.files.get("/deno/release/v2.1.99/deno-aarch64-unknown-linux-gnu.zip")!), sha256From: "https://dl.deno.land/release/v2.1.99/deno-aarch64-unknown-linux-gnu.zip.sha256sum" });
  });

  it("run bun, bunx and deno from the store; deno never checks for updates", async () => {
    const dir = project(config({ bun: "1.1", deno: "1" }));
    const e = env();
    const result = await devenv(["run", "sh", "-c", "bun --version; bunx cowsay; deno --version; deno test"], { cwd: dir, env: e });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "1.1.99\nbunx cowsay\ndeno 1.46.99\ndeno test DENO_NO_UPDATE_CHECK=1\n");
    const which = await devenv(["which", "deno"], { cwd: dir, env: e });
    assert.match(which.stdout, /\/store\/[0-9a-f]{32}-deno-1\.46\.99\/\.bin\/deno\n$/);
  });

  it("env (evaluated by bash), the launcher's hot path and direnv's use_devenv serve them as they serve node", async () => {
    const dir = project(config({ deno: "2", bun: "1" }));
    const e = env();
    const exported = await devenv(["env", "--shell", "bash"], { cwd: dir, env: e });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^export DENO_NO_UPDATE_CHECK='1'$/m);
    const evaluated = await run("bash", ["-c", `${exported.stdout}\ndeno --version; bunx x`], { cwd: dir, env: e });
    assert.equal(evaluated.stdout, "deno 2.1.99\nbunx x\n", evaluated.stderr);
    const launcher = recordingLauncher();
    const hot = await run(launcher.bin, ["run", "bun", "--version"], { cwd: dir, env: e });
    assert.equal(hot.stdout, "1.2.99\n");
    assert.equal(launcher.nodeStarts(), 0, "answered without Node.js from the cache the first run wrote");
    const hook = (await devenv(["hook", "direnv"], { cwd: dir, env: e })).stdout;
    const direnv = await run("bash", ["-c", `${hook}\nwatch_file() { :; }\nuse_devenv && deno x`], { cwd: dir, env: e });
    assert.equal(direnv.stdout, "deno x DENO_NO_UPDATE_CHECK=1\n", direnv.stderr);
  });

  it("devenv shell (bash, on a terminal) has them first on PATH", async () => {
    const dir = project(config({ bun: "1", deno: "2" }));
    const home = tempDir("devenv-home-dir-");
    const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env: { ...env(), HOME: home, SHELL: "/bin/bash", TERM: "xterm" } });
    await term.run("bun --version; deno --version", "deno 2.1.99");
    assert.match(term.output, /1\.2\.99\r?\n/);
    term.type("exit 3");
    assert.equal(await term.exited, 3);
  });

  it("direnv: use devenv loads them", { skip: needs("direnv") }, async () => {
    const home = tempDir("devenv-direnv-home-");
    const e = { ...env(), HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache") };
    mkdirSync(join(home, ".config", "direnv", "lib"), { recursive: true });
    writeFileSync(join(home, ".config", "direnv", "lib", "devenv.sh"), (await devenv(["hook", "direnv"], { cwd: home, env: e })).stdout);
    const dir = project(config({ bun: "1", deno: "2" }), { ".envrc": "use devenv\n" });
    assert.equal((await run("direnv", ["allow", "."], { cwd: dir, env: e })).code, 0);
    assert.equal((await devenv(["lock"], { cwd: dir, env: e })).code, 0, "loading never writes devenv.lock");
    const result = await run("direnv", ["exec", ".", "sh", "-c", "bun --version; deno --version"], { cwd: dir, env: e });
    assert.equal(result.stdout, "1.2.99\ndeno 2.1.99\n", result.stderr);
  });

  it("bun's baseline build (x64 CPUs without AVX2) when devenv.ts asks for it; asking otherwise re-locks", async () => {
    const dir = project(`export default { tools: { bun: { version: "1.2", variant: "baseline" } } };\n`);
    const e = env();
    const baseline = await devenv(["run", "bun", "--version"], { cwd: dir, env: e });
    assert.equal(baseline.code, 0, baseline.stderr);
    assert.equal(baseline.stdout, "1.2.99-baseline\n");
    const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { bun: { variant?: string; platforms: Record<string, { url: string }> } } };
    assert.equal(lock.tools.bun.variant, "baseline");
    assert.equal(lock.tools.bun.platforms["linux-x64"]!.url, "https://github.com/oven-sh/bun/releases/download/bun-v1.2.99/bun-linux-x64-baseline.zip");
    assert.equal(lock.tools.bun.platforms["darwin-x64"]!.url, "https://github.com/oven-sh/bun/releases/download/bun-v1.2.99/bun-darwin-x64-baseline.zip");
    assert.equal(lock.tools.bun.platforms["darwin-arm64"]!.url, "https://github.com/oven-sh/bun/releases/download/bun-v1.2.99/bun-darwin-aarch64.zip", "arm64 has one build");
    writeFileSync(join(dir, "devenv.ts"), config({ bun: "1.2" }));
    const frozen = await devenv(["install", "--frozen"], { cwd: dir, env: e });
    assert.match(frozen.stderr, /bun is the default build in devenv\.ts but the baseline build in devenv\.lock/);
    assert.equal((await devenv(["run", "bun", "--version"], { cwd: dir, env: e })).stdout, "1.2.99\n");
    for (const [tools, message] of [
      [`{ bun: { version: "1.2", variant: "avx512" } }`, /tools\.bun\.variant = "avx512": not a bun build; known: baseline/],
      [`{ node: { version: "20", variant: "baseline" } }`, /tools\.node\.variant = "baseline": unknown option; allowed: version/],
    ] as const) {
      const bad = await devenv(["lock"], { cwd: project(`export default { tools: ${tools} };\n`), env: e });
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, message);
    }
  });

  it("specs as for the others: exact, ranges, latest; canary is not a release", async () => {
    for (const [spec, expected] of [["1.2.98", "1.2.98"], ["^1.1", "1.2.99"], ["latest", "1.2.99"], ["~1.1.0", "1.1.99"]] as const) {
      const dir = project(config({ bun: spec }));
      const result = await devenv(["lock"], { cwd: dir, env: env() });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { bun: { version: string } } }).tools.bun.version, expected, spec);
    }
    const missing = await devenv(["lock"], { cwd: project(config({ deno: "3" })), env: env() });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no deno release matches "3"; nearest available: 2\.1\.99/);
  });

  it("devenv init has a flag for each, from the registry", async () => {
    const dir = tempDir("devenv-project-");
    const result = await devenv(["init", "--bun", "1.2", "--deno", "2"], { cwd: dir, env: env() });
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(join(dir, "devenv.ts"), "utf8"), /bun: "1\.2",\n\s+deno: "2",/);
  });
});

describe("hostile zips are refused as hostile tarballs are, with nothing written outside the store", () => {
  const outside = tempDir("devenv-outside-");
  const top = "bun-linux-x64";
  const cases: Array<[string, ZipEntry[], RegExp]> = [
    ["a ../ name (zip-slip)", [{ path: `${top}/` }, { path: `${top}/../../../evil`, content: "pwned" }], /climbs out with '\.\.'/],
    ["an absolute name", [{ path: `${top}/` }, { path: `${outside}/evil`, content: "pwned" }], /has an absolute path/],
    ["a symlink pointing outside", [{ path: `${top}/` }, { path: `${top}/link`, type: "SymbolicLink", linkpath: outside }, { path: `${top}/link/evil`, content: "pwned" }], /links outside the entry/],
    ["a file through a symlink inside", [{ path: `${top}/` }, { path: `${top}/real/` }, { path: `${top}/link`, type: "SymbolicLink", linkpath: "real" }, { path: `${top}/link/evil`, content: "pwned" }], /written through a symbolic link/],
    ["a zip bomb's declared size", [{ path: `${top}/` }, { path: `${top}/a`, content: "x", declaredSize: 0xf0000000 }, { path: `${top}/b`, content: "x", declaredSize: 0xf0000000 }], /declares more than 2 GiB unpacked \(a zip bomb\)/],
    ["two top-level directories", [{ path: `${top}/` }, { path: `${top}/bun`, content: "x" }, { path: "other/evil", content: "pwned" }], /outside the archive's top-level directory/],
    ["a symlink with an empty target (refused, not an internal error)", [{ path: `${top}/` }, { path: `${top}/bun`, type: "SymbolicLink", linkpath: "" }], /entry "bun-linux-x64\/bun" is a symbolic link to nothing/],
  ];
  for (const [name, entries, message] of cases) {
    it(name, async () => {
      const hostile = await Mirror.start();
      try {
        publishBun(hostile, [{ version: "1.2.99", linuxX64: buildZip(entries) }]);
        const home = tempDir("devenv-home-");
        const result = await devenv(["install"], { cwd: project(config({ bun: "1.2" })), env: env(home, hostile) });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /^error: refusing http:\/\/127\.0\.0\.1:\d+\/bun\/bun-v1\.2\.99\/bun-linux-x64\.zip: /m);
        assert.match(result.stderr, message);
        assert.deepEqual(walk(join(home, "store")), []);
        assert.deepEqual(walk(join(home, "tmp")), []);
        assert.deepEqual(walk(outside), []);
      } finally {
        await hostile.close();
      }
    });
  }
});

describe("the real bun and deno, repacked from their npm packages into upstream's zips", () => {
  it(`bun ${realBunVersion} and deno ${realDenoVersion} run from the store`, async () => {
    const real = await Mirror.start();
    try {
      publishBun(real, [{ version: realBunVersion, linuxX64: await realBunZip() }]);
      publishDeno(real, [{ version: realDenoVersion, linuxX64: await realDenoZip() }]);
      const dir = project(config({ bun: realBunVersion, deno: realDenoVersion }));
      const e = { ...env(tempDir("devenv-home-"), real), DENO_DIR: tempDir("devenv-deno-dir-") };
      const versions = await devenv(["run", "sh", "-c", "bun --version; deno --version | head -n 1"], { cwd: dir, env: e });
      assert.equal(versions.code, 0, versions.stderr);
      assert.match(versions.stdout, new RegExp(`^${realBunVersion.replaceAll(".", "\\.")}\\ndeno ${realDenoVersion.replaceAll(".", "\\.")} `));
      const scripts = await devenv(["run", "sh", "-c", "bun -e 'console.log(6 * 7)'; deno eval 'console.log(Deno.version.deno)'"], { cwd: dir, env: e });
      assert.equal(scripts.code, 0, scripts.stderr);
      assert.equal(scripts.stdout, `42\n${realDenoVersion}\n`);
      assert.equal((await devenv(["verify"], { cwd: dir, env: e })).code, 0, "verify covers them");
    } finally {
      await real.close();
    }
  });
});
