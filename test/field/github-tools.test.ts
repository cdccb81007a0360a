import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, devenvBin, project, run, tempDir } from "../support/cli.js";
import { FakeGithub } from "../support/github.js";
import { publishSevenTools, realBiomeVersion } from "../support/github-tools.js";
import { Mirror } from "../support/mirror.js";
import { needs } from "../support/programs.js";
import { Terminal } from "../support/terminal.js";

/**
 * The tools a project builds with beside its runtimes, from GitHub as a user behind a
 * TLS-intercepting proxy reaches it: tags and releases from api.github.com, assets through
 * github.com's 302 to the CDN. Each linux-x64 asset holds the real program.
 */
const missing = needs("openssl", "rg", "jq", "shellcheck", "gh", "shfmt", "fdfind", "xz");

let github: FakeGithub;

before(async () => {
  if (missing) return;
  github = await FakeGithub.start();
  await publishSevenTools(github);
});
after(async () => {
  await github?.close();
});

const seven = `export default { tools: { gh: "2.23.0", ripgrep: "14", shfmt: "3.13.0", biome: "${realBiomeVersion}", jq: "1.6", shellcheck: "0.9", fd: "8.6.0" } };\n`;

interface Locked {
  tools: Record<string, { version: string; platforms: Record<string, { url: string; sha256: string; sha256From?: string }> }>;
}

function setup(config: string, extra: Record<string, string> = {}) {
  const home = tempDir("devenv-home-");
  const dir = project(config);
  const env = cleanEnv({ DEVENV_HOME: home, HTTPS_PROXY: github.proxyUrl, NODE_EXTRA_CA_CERTS: github.caFile, ...extra });
  return { home, dir, env };
}

describe("every tool a project needs, from GitHub releases", { skip: missing }, () => {
  it("locks seven tools for every platform upstream builds, each sha256 with where it came from, then installs with no API call and runs each from the store", async () => {
    const { dir, env, home } = setup(seven, { GITHUB_TOKEN: "ghp_s3cret" });
    github.requests.length = 0;
    const lock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(lock.code, 0, lock.stderr);
    const locked = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as Locked;
    const t = locked.tools;
    assert.deepEqual(Object.fromEntries(Object.entries(t).map(([name, tool]) => [name, tool.version])), { gh: "2.23.0", ripgrep: "14.1.1", shfmt: "3.13.0", biome: realBiomeVersion, jq: "1.6", shellcheck: "0.9.0", fd: "8.6.0" });

    // Canonical URLs, the tag URL-encoded where it holds `@` and `/`.
    assert.equal(t.biome!.platforms["linux-x64"]!.url, `https://github.com/biomejs/biome/releases/download/%40biomejs%2Fbiome%40${realBiomeVersion}/biome-linux-x64`);
    assert.equal(t.ripgrep!.platforms["linux-x64"]!.url, "https://github.com/BurntSushi/ripgrep/releases/download/14.1.1/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz");
    assert.equal(t.jq!.platforms["linux-x64"]!.url, "https://github.com/jqlang/jq/releases/download/jq-1.6/jq-linux64");

    // Where each sha256 came from.
    assert.equal(t.gh!.platforms["linux-x64"]!.sha256From, "https://github.com/cli/cli/releases/download/v2.23.0/gh_2.23.0_checksums.txt");
    assert.equal(t.ripgrep!.platforms["darwin-arm64"]!.sha256From, "https://github.com/BurntSushi/ripgrep/releases/download/14.1.1/ripgrep-14.1.1-aarch64-apple-darwin.tar.gz.sha256");
    assert.equal(t.shfmt!.platforms["linux-arm64"]!.sha256From, "github-digest");
    assert.equal(t.biome!.platforms["darwin-x64"]!.sha256From, "github-digest");
    for (const name of ["jq", "shellcheck", "fd"]) for (const artifact of Object.values(t[name]!.platforms)) assert.equal(artifact.sha256From, "computed", name);
    assert.match(lock.stderr, /jq 1\.6: upstream publishes no checksums.*trust on first use/);

    // Every platform upstream builds; the x64 build for darwin-arm64 where upstream has no other, said once.
    assert.deepEqual(Object.keys(t.jq!.platforms).sort(), ["darwin-arm64", "darwin-x64", "linux-x64"]);
    assert.equal(t.jq!.platforms["darwin-arm64"]!.url, t.jq!.platforms["darwin-x64"]!.url);
    assert.equal(t.gh!.platforms["darwin-arm64"]!.url, "https://github.com/cli/cli/releases/download/v2.23.0/gh_2.23.0_macOS_amd64.tar.gz");
    assert.match(lock.stderr, /jq 1\.6 has no darwin-arm64 build: darwin-arm64 runs the darwin-x64 one \(Rosetta 2\)/);
    assert.deepEqual(Object.keys(t.biome!.platforms).sort(), ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"]);

    // The token went to the API only.
    for (const r of github.requests) assert.equal(r.authorization, r.host === "api.github.com" ? "Bearer ghp_s3cret" : undefined, `${r.host}${r.path}`);

    github.requests.length = 0;
    const install = await devenv(["install"], { cwd: dir, env });
    assert.equal(install.code, 0, install.stderr);
    assert.deepEqual(github.requests.filter((r) => r.host === "api.github.com").map((r) => r.path), [], "an install from a complete lock asks the API nothing");

    const versions: Array<[string, string[], RegExp]> = [
      ["gh", ["--version"], /^gh version 2\.23\.0/],
      ["rg", ["--version"], /^ripgrep 13\.0\.0/],
      ["shfmt", ["--version"], /^3\.6\.0/],
      ["biome", ["--version"], new RegExp(`Version: ${realBiomeVersion.replaceAll(".", "\\.")}`)],
      ["jq", ["--version"], /^jq-1\.6/],
      ["shellcheck", ["--version"], /ShellCheck - shell script analysis tool/],
      ["fd", ["--version"], /^fdfind 8\.6\.0/],
    ];
    for (const [program, args, expected] of versions) {
      const run = await devenv(["run", program, ...args], { cwd: dir, env });
      assert.equal(run.code, 0, `${program}: ${run.stderr}`);
      assert.match(run.stdout, expected, program);
      const which = await devenv(["which", program], { cwd: dir, env });
      assert.ok(which.stdout.startsWith(join(home, "store")), `${program} runs from the store: ${which.stdout}`);
    }
    // A release's other files are not on PATH: only what the record names.
    const onPath = await devenv(["run", "sh", "-c", "command -v COPYING LICENSE.txt README.md || echo none"], { cwd: dir, env });
    assert.equal(onPath.stdout, "none\n");
  });

  it("env (evaluated by bash), direnv's use_devenv and devenv shell on a terminal serve them as they serve node", async () => {
    const { dir, env } = setup(`export default { tools: { jq: "1.6", ripgrep: "14" } };\n`);
    const exported = await devenv(["env", "--shell", "bash"], { cwd: dir, env });
    assert.equal(exported.code, 0, exported.stderr);
    const evaluated = await run("bash", ["-c", `${exported.stdout}\njq --version; rg --version | head -n 1`], { cwd: dir, env });
    assert.equal(evaluated.stdout, "jq-1.6\nripgrep 13.0.0\n", evaluated.stderr);
    const hook = (await devenv(["hook", "direnv"], { cwd: dir, env })).stdout;
    const direnv = await run("bash", ["-c", `${hook}\nwatch_file() { :; }\nuse_devenv && jq -n '"from " + "direnv"'`], { cwd: dir, env });
    assert.equal(direnv.stdout, '"from direnv"\n', direnv.stderr);
    const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env: { ...env, HOME: tempDir("devenv-home-dir-"), SHELL: "/bin/bash", TERM: "xterm" } });
    await term.run("command -v rg; jq -n 6*7", "42");
    assert.match(term.output, /\/store\/[0-9a-f]{32}-ripgrep-14\.1\.1\/\.bin\/rg\r?\n/);
    term.type("exit 4");
    assert.equal(await term.exited, 4);
  });

  it("a tampered asset is refused with the checksum's message, and nothing of it is stored", async () => {
    const { dir, env, home } = setup(`export default { tools: { jq: "1.6" } };\n`);
    const lock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(lock.code, 0, lock.stderr);
    github.publish("jqlang/jq", "jq-1.6", [{ name: "jq-linux64", body: Buffer.from("#!/bin/sh\necho pwned\n") }]);
    try {
      const install = await devenv(["install"], { cwd: dir, env });
      assert.equal(install.code, 1, install.stderr);
      assert.match(install.stderr, /checksum mismatch for https:\/\/github\.com\/jqlang\/jq\/releases\/download\/jq-1\.6\/jq-linux64: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
      assert.deepEqual(existsSync(join(home, "store")) ? readdirSync(join(home, "store")) : [], []);
    } finally {
      github.unpublish("jqlang/jq", "jq-1.6");
    }
  });

  it("a spent rate limit is one line saying when to try again, and what lifts it", async () => {
    const { dir, env } = setup(`export default { tools: { shellcheck: "0.9" } };\n`);
    github.rateLimited = true;
    try {
      const lock = await devenv(["lock"], { cwd: dir, env });
      assert.equal(lock.code, 1);
      assert.match(lock.stderr, /GitHub's API rate limit is spent \(.*answered 403\); try again after 13:45 UTC/);
      assert.match(lock.stderr, /set GITHUB_TOKEN/);
      assert.equal(existsSync(join(dir, "devenv.lock")), false);
    } finally {
      github.rateLimited = false;
    }
  });

  it("github:OWNER/REPO: any repository's releases, each platform's asset chosen by its name and said, a renamed repository followed", async () => {
    github.rename("fd-old/fd", "sharkdp/fd");
    const { dir, env } = setup(`export default { tools: { "github:fd-old/fd": "8.6" } };\n`);
    const lock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(lock.code, 0, lock.stderr);
    const locked = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as Locked;
    const fd = locked.tools["github:fd-old/fd"]!;
    assert.equal(fd.version, "8.6.0");
    assert.equal(fd.platforms["linux-x64"]!.url, "https://github.com/fd-old/fd/releases/download/v8.6.0/fd-v8.6.0-x86_64-unknown-linux-gnu.tar.gz");
    assert.equal(fd.platforms["darwin-arm64"]!.url, fd.platforms["darwin-x64"]!.url, "Rosetta 2 runs the x64 build");
    assert.match(lock.stderr, /github:fd-old\/fd 8\.6\.0 linux-x64: fd-v8\.6\.0-x86_64-unknown-linux-gnu\.tar\.gz\n/);
    assert.match(lock.stderr, /github:fd-old\/fd 8\.6\.0 linux-arm64: fd-v8\.6\.0-aarch64-unknown-linux-gnu\.tar\.gz\n/);
    assert.doesNotMatch(lock.stderr, /\.deb/);
    const run = await devenv(["run", "fd", "--version"], { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "fdfind 8.6.0\n");
    assert.ok(github.requests.some((r) => r.status === 301 && r.host === "api.github.com"), "the API answered 301 for the old name");
  });

  it("an ambiguous release names its candidates and the option that picks one", async () => {
    github.publish("acme/twins", "v1.0.0", [
      { name: "twins-1.0.0-linux-amd64.tar.gz", body: Buffer.from("a") },
      { name: "twins-1.0.0-linux-x86_64.tar.gz", body: Buffer.from("b") },
    ]);
    const { dir, env } = setup(`export default { tools: { "github:acme/twins": "1" } };\n`);
    const lock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(lock.code, 1);
    assert.match(lock.stderr, /^error: github:acme\/twins 1\.0\.0: more than one asset fits \(linux-x64: twins-1\.0\.0-linux-amd64\.tar\.gz, twins-1\.0\.0-linux-x86_64\.tar\.gz\)\nhint: pick one with the object form: \{ version: "1\.0\.0", asset: /);
    assert.equal(existsSync(join(dir, "devenv.lock")), false);
  });

  it("DEVENV_GITHUB_MIRROR serves every release download: an install from the lock asks github.com nothing", async () => {
    const { dir, env } = setup(`export default { tools: { jq: "1.6", gh: "2.23.0" } };\n`);
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const locked = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as Locked;
    const mirror = await Mirror.start();
    try {
      for (const tool of Object.values(locked.tools)) {
        const { url } = tool.platforms["linux-x64"]!;
        const asset = github.asset(url);
        mirror.files.set(new URL(url).pathname, asset);
      }
      github.requests.length = 0;
      const install = await devenv(["install"], { cwd: dir, env: { ...env, DEVENV_GITHUB_MIRROR: `${mirror.url}/` } });
      assert.equal(install.code, 0, install.stderr);
      assert.deepEqual(github.requests.map((r) => `${r.host}${r.path}`), []);
      assert.equal((await devenv(["run", "jq", "-n", "1+1"], { cwd: dir, env })).stdout, "2\n");
    } finally {
      await mirror.close();
    }
  });
});
