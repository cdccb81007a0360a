import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, project, tempDir } from "../support/cli.js";
import { FakeGithub, publishPythonAtScale } from "../support/github.js";
import { Mirror } from "../support/mirror.js";
import { needs } from "../support/programs.js";
import { publishPython } from "../support/upstreams.js";

/**
 * python without DEVENV_PYTHON_MIRROR: tags from GitHub's API, SHA256SUMS and
 * archives from release downloads that redirect to a CDN, all through a
 * TLS-intercepting proxy whose CA only NODE_EXTRA_CA_CERTS names.
 */
const newest = "20260301";
/** An old line's tags: 3.8 is built only by the oldest of 40. */
const oldTags = Array.from({ length: 40 }, (_, i) => String(20250140 - i));

let mirror: Mirror;
let github: FakeGithub;

before(async () => {
  if (needs("openssl")) return;
  mirror = await Mirror.start();
  github = await FakeGithub.start(mirror, publishPythonAtScale(mirror, newest));
});
after(async () => {
  await github?.close();
  await mirror?.close();
});

function setup(config: string, token?: string) {
  const home = tempDir("devenv-home-");
  const dir = project(config);
  const env = cleanEnv({ DEVENV_HOME: home, HTTPS_PROXY: github.proxyUrl, NODE_EXTRA_CA_CERTS: github.caFile, ...(token ? { GITHUB_TOKEN: token } : {}) });
  return { home, dir, env };
}

describe("python from GitHub itself, through a TLS-intercepting proxy", { skip: needs("openssl") }, () => {
  it("locks from the tags API (under 2 MB), installs through the 302 to the CDN, and sends GITHUB_TOKEN to the API only", async () => {
    github.requests.length = 0;
    const { dir, env } = setup(`export default { tools: { python: "3.12" } };\n`, "ghp_s3cret");
    const lock = await devenv(["lock"], { cwd: dir, env });
    assert.equal(lock.code, 0, lock.stderr);
    const locked = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: { python: { version: string; platforms: Record<string, { url: string }> } } };
    assert.equal(locked.tools.python.version, "3.12.99");
    assert.equal(locked.tools.python.platforms["linux-x64"]!.url, `https://github.com/astral-sh/python-build-standalone/releases/download/${newest}/cpython-3.12.99%2B${newest}-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz`);
    const api = github.requests.filter((r) => r.host === "api.github.com");
    assert.deepEqual(api.map((r) => r.path), ["/repos/astral-sh/python-build-standalone/tags?per_page=100&page=1", "/repos/astral-sh/python-build-standalone/tags?per_page=100&page=2"]);
    const resolveBytes = github.bytes();
    assert.ok(resolveBytes < 2_000_000, `a cold resolve moved ${resolveBytes} bytes`);

    const run = await devenv(["run", "python3"], { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Python 3.12.99 (${newest}/install_only_stripped)\n`);
    const asset = github.requests.find((r) => r.host === "release-assets.githubusercontent.com" && r.path.includes("install_only_stripped"));
    assert.ok(asset && asset.status === 200, "the archive came from the CDN");
    for (const r of github.requests) assert.equal(r.authorization, r.host === "api.github.com" ? "Bearer ghp_s3cret" : undefined, `${r.host}${r.path}`);
  });

  it("an old line, dozens of releases back: cold it walks them a few at a time; warm it asks under 10 times", async () => {
    const old = await Mirror.start();
    const walk = await FakeGithub.start(old, oldTags);
    try {
      publishPython(old, oldTags.map((tag, i) => ({ tag, builds: [i === oldTags.length - 1 ? { version: "3.8.99" } : { version: `3.13.${i}` }] })));
      const home = tempDir("devenv-home-");
      const dir = project(`export default { tools: { python: "3.8" } };\n`);
      const env = cleanEnv({ DEVENV_HOME: home, HTTPS_PROXY: walk.proxyUrl, NODE_EXTRA_CA_CERTS: walk.caFile });
      const cold = await devenv(["lock"], { cwd: dir, env });
      assert.equal(cold.code, 0, cold.stderr);
      assert.equal(walk.requests.filter((r) => r.path.endsWith("/SHA256SUMS")).length, 40);
      rmSync(join(dir, "devenv.lock"));
      walk.requests.length = 0;
      const warm = await devenv(["lock"], { cwd: dir, env });
      assert.equal(warm.code, 0, warm.stderr);
      assert.ok(walk.requests.length < 10, `warm: ${walk.requests.map((r) => r.path).join(", ")}`);
    } finally {
      await walk.close();
      await old.close();
    }
  });

  it("GitHub's rate limit: one line saying when to retry and that GITHUB_TOKEN lifts it", async () => {
    github.rateLimited = true;
    try {
      const { dir, env } = setup(`export default { tools: { python: "3.12" } };\n`);
      const result = await devenv(["lock"], { cwd: dir, env });
      assert.equal(result.code, 1);
      assert.deepEqual(result.stderr.trimEnd().split("\n"), [
        "error: GitHub's API rate limit is spent (https://api.github.com/repos/astral-sh/python-build-standalone/tags?per_page=100&page=1 answered 403); try again after 13:45 UTC",
        "hint: set GITHUB_TOKEN (any token lifts the limit to 5,000 requests an hour), or set DEVENV_PYTHON_MIRROR to a mirror with releases.json",
      ]);
    } finally {
      github.rateLimited = false;
    }
  });
});
