import assert from "node:assert/strict";
import { fetchUrl } from "../../resolvers/types.js";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HttpStatusError } from "../../errors.js";
import { go } from "../../resolvers/go.js";
import { python } from "../../resolvers/python.js";
import { tempDir } from "../support/cli.js";
import { fakeContext } from "../support/fake-fetch.js";

const hex = (n: number) => n.toString(16).padStart(64, "0");

describe("go resolver", () => {
  const release = (version: string, stable = !/rc|beta/.test(version)) => ({
    version: `go${version}`,
    stable,
    files: [
      { filename: `go${version}.linux-amd64.tar.gz`, os: "linux", arch: "amd64", version: `go${version}`, sha256: hex(1), size: 1, kind: "archive" },
      { filename: `go${version}.darwin-arm64.pkg`, os: "darwin", arch: "arm64", version: `go${version}`, sha256: hex(2), size: 1, kind: "installer" },
      { filename: `go${version}.darwin-arm64.tar.gz`, os: "darwin", arch: "arm64", version: `go${version}`, sha256: hex(3).toUpperCase(), size: 1, kind: "archive" },
      { filename: `go${version}.src.tar.gz`, os: "", arch: "", version: `go${version}`, sha256: hex(4), size: 1, kind: "source" },
    ],
  });
  // go.dev order: newest first, pre-releases among them.
  const index = ["1.23rc1", "1.22.9", "1.22.0", "1.22rc2", "1.21.13", "1.21.0", "1.20.14", "1.20.1", "1.20", "1.20rc3", "1.19.13"].map((v) => release(v));
  const upstream = "https://go.dev/dl/?mode=json&include=all";

  const table: Array<[string, string]> = [
    ["1.22", "1.22.9"],
    ["1.22.0", "1.22.0"],
    ["go1.22.0", "1.22.0"],
    ["1.20", "1.20.14"],
    ["~1.20.0", "1.20.14"],
    [">=1.20 <1.21", "1.20.14"],
    ["^1.21", "1.22.9"],
    ["1.21", "1.21.13"],
    ["latest", "1.22.9"],
    ["1.23rc1", "1.23rc1"],
    ["go1.22rc2", "1.22rc2"],
  ];
  for (const [spec, expected] of table) {
    it(`"${spec}" resolves to ${expected}`, async () => {
      const { ctx, requests } = fakeContext({ [upstream]: index });
      assert.equal(await go.resolve(spec, ctx), expected);
      assert.deepEqual(requests.map((r) => r.url), [upstream]);
    });
  }

  it("never picks rc or beta for a range", async () => {
    const { ctx } = fakeContext({ [upstream]: index });
    await assert.rejects(go.resolve("1.23", ctx), /no go release matches "1\.23"; nearest available: 1\.22\.9/);
  });

  it("the first 1.20 release is `1.20`, with artifacts from its archive files only", async () => {
    const { ctx } = fakeContext({ "http://m/go/index.json": index }, { mirror: "http://m/go" });
    assert.deepEqual(await go.artifacts("1.20", ctx), {
      "linux-x64": { url: "https://dl.google.com/go/go1.20.linux-amd64.tar.gz", sha256: hex(1) },
      "darwin-arm64": { url: "https://dl.google.com/go/go1.20.darwin-arm64.tar.gz", sha256: hex(3) },
    });
    assert.equal(fetchUrl(go, "https://dl.google.com/go/go1.20.linux-amd64.tar.gz", "http://m/go"), "http://m/go/go1.20.linux-amd64.tar.gz");
  });

  it("activates with GOROOT and GOTOOLCHAIN=local", () => {
    assert.deepEqual(go.activate("/store/x-go-1.22.9"), { bin: ["/store/x-go-1.22.9/bin"], env: { GOROOT: "/store/x-go-1.22.9", GOTOOLCHAIN: "local" } });
  });

  for (const spec of ["1.22", "go1.22.9", "1.23rc1", "^1.21", "latest"]) it(`accepts "${spec}"`, () => assert.ok(go.isValidSpec(spec)));
  for (const spec of ["go", "1.22.x.y", "golang-1.22"]) it(`rejects "${spec}"`, () => assert.ok(!go.isValidSpec(spec)));
});

describe("python resolver", () => {
  const base = "https://github.com/astral-sh/python-build-standalone/releases/download";
  const api = "https://api.github.com/repos/astral-sh/python-build-standalone/tags";
  const sums = (tag: string, entries: Array<[string, string, string?]>) =>
    entries.map(([version, triple, variant = "install_only_stripped"], i) => `${hex(i + 1)}  cpython-${version}+${tag}-${triple}-${variant}.tar.gz`).join("\n");
  const linux = "x86_64-unknown-linux-gnu";
  const mac = "aarch64-apple-darwin";
  const files = {
    "http://m/py/releases.json": ["20250301", "20250201", "20250101"],
    "http://m/py/20250301/SHA256SUMS": [
      sums("20250301", [["3.13.2", linux], ["3.13.2", mac], ["3.12.9", linux], ["3.14.0a5", linux]]),
      `${hex(9)}  cpython-3.13.2+20250301-x86_64-unknown-linux-gnu-freethreaded-install_only.tar.gz`,
      `${hex(9)}  cpython-3.13.2+20250301-x86_64-unknown-linux-musl-install_only.tar.gz`,
    ].join("\n"),
    "http://m/py/20250201/SHA256SUMS": sums("20250201", [["3.13.1", linux], ["3.12.9", linux], ["3.12.9", mac, "install_only"], ["3.11.11", linux]]),
    "http://m/py/20250101/SHA256SUMS": sums("20250101", [["3.12.8", linux], ["3.11.11", linux, "install_only"], ["3.11.11", linux, "install_only_stripped"], ["3.10.16", linux]]),
  };
  const mirror = { mirror: "http://m/py" };

  const table: Array<[string, string]> = [
    ["3.13", "3.13.2"],
    ["3.12", "3.12.9"],
    ["3.11", "3.11.11"],
    ["3.10", "3.10.16"],
    ["3.12.8", "3.12.8"],
    ["latest", "3.13.2"],
    [">=3.11 <3.13", "3.12.9"],
    ["3.14.0a5", "3.14.0a5"],
  ];
  for (const [spec, expected] of table) {
    it(`"${spec}" resolves to ${expected}`, async () => assert.equal(await python.resolve(spec, fakeContext(files, mirror).ctx), expected));
  }

  it("never picks an alpha for a range, and lists the nearest versions", async () => {
    await assert.rejects(python.resolve("3.14", fakeContext(files, mirror).ctx), /no python release matches "3\.14"; nearest available: 3\.13\.2/);
  });

  it("pins the newest tag that builds the version; the platforms that tag publishes; stripped preferred", async () => {
    const artifacts = await python.artifacts("3.12.9", fakeContext(files, mirror).ctx);
    assert.deepEqual(artifacts, {
      "linux-x64": { url: `${base}/20250301/cpython-3.12.9%2B20250301-${linux}-install_only_stripped.tar.gz`, sha256: hex(3) },
    });
    const older = await python.artifacts("3.11.11", fakeContext(files, mirror).ctx);
    assert.deepEqual(older, {
      "linux-x64": { url: `${base}/20250201/cpython-3.11.11%2B20250201-${linux}-install_only_stripped.tar.gz`, sha256: hex(4) },
    });
  });

  it("falls back to install_only where a release has no stripped build", async () => {
    const only = { "http://m/py/releases.json": ["20250201"], "http://m/py/20250201/SHA256SUMS": files["http://m/py/20250201/SHA256SUMS"] };
    const artifacts = await python.artifacts("3.12.9", fakeContext(only, mirror).ctx);
    assert.equal(artifacts["darwin-arm64"]?.url, `${base}/20250201/cpython-3.12.9%2B20250201-${mac}-install_only.tar.gz`);
  });

  it("skips release tags that have no SHA256SUMS", async () => {
    const gap = { ...files, "http://m/py/releases.json": ["20250401", ...files["http://m/py/releases.json"]] };
    assert.equal(await python.resolve("3.13", fakeContext(gap, mirror).ctx), "3.13.2");
  });

  it("maps canonical URLs onto the mirror, keeping %2B", () => {
    const url = `${base}/20250301/cpython-3.13.2%2B20250301-${linux}-install_only_stripped.tar.gz`;
    assert.equal(fetchUrl(python, url, "http://m/py"), `http://m/py/20250301/cpython-3.13.2%2B20250301-${linux}-install_only_stripped.tar.gz`);
  });

  it("without a mirror, pages through the GitHub tags API (newest first by date) and sends GITHUB_TOKEN", async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => ({ name: `2024${String(1000 + i)}` }));
    const upstream = {
      [`${api}?per_page=100&page=1`]: [...page1.slice(1), { name: "20250301" }],
      [`${api}?per_page=100&page=2`]: [{ name: "20230101" }],
      [`${base}/20250301/SHA256SUMS`]: files["http://m/py/20250301/SHA256SUMS"],
    };
    const { ctx, requests } = fakeContext(upstream, { githubToken: "s3cret" });
    assert.equal(await python.resolve("3.13", ctx), "3.13.2");
    assert.deepEqual(requests.map((r) => r.url).slice(0, 3), [`${api}?per_page=100&page=1`, `${api}?per_page=100&page=2`, `${base}/20250301/SHA256SUMS`]);
    assert.equal(requests[0]!.headers.authorization, "Bearer s3cret");
  });

  it("a GitHub rate limit is a clear error that says when to retry and suggests GITHUB_TOKEN or a mirror", async () => {
    const reset = Date.UTC(2026, 0, 2, 13, 45) / 1000;
    for (const [status, headers, when] of [
      [403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, "after 13:45 UTC"],
      [429, { "retry-after": "60" }, "in 60 s"],
    ] as const) {
      const limited = new HttpStatusError(`${api}?per_page=100&page=1`, status, headers);
      const { ctx } = fakeContext({ [`${api}?per_page=100&page=1`]: limited });
      const error = (await python.resolve("3.12", ctx).catch((e: unknown) => e)) as HttpStatusError;
      assert.equal(error.message, `GitHub's API rate limit is spent (${api}?per_page=100&page=1 answered ${status}); try again ${when}`);
      assert.match(error.hint ?? "", /GITHUB_TOKEN.*DEVENV_PYTHON_MIRROR/);
    }
  });

  it("asks for SHA256SUMS as immutable (cached for good) and walks old lines with bounded lookahead", async () => {
    const tags = Array.from({ length: 30 }, (_, i) => String(20250101 + i));
    const { ctx, requests } = fakeContext({ "http://m/py/releases.json": tags.reverse() }, mirror);
    let inFlight = 0;
    let most = 0;
    const text = ctx.fetch.text;
    const counting: typeof ctx = {
      ...ctx,
      fetch: {
        ...ctx.fetch,
        text: async (url, options) => {
          assert.equal(options?.immutable, true, url);
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return text(url, options);
        },
      },
    };
    await assert.rejects(python.resolve("3.8", counting), /no python release matches "3\.8"/);
    assert.equal(requests.filter((r) => r.url.endsWith("/SHA256SUMS")).length, 30);
    assert.ok(most > 1 && most <= 8, `at most 8 at once, and more than 1 (saw ${most})`);
  });

  it("fixup rewrites the /install build prefix in sysconfig data and the config Makefile, and nothing else", async () => {
    const dir = tempDir("devenv-fixup-");
    const lib = join(dir, "lib", "python3.12");
    mkdirSync(join(lib, "config-3.12-x86_64-linux-gnu"), { recursive: true });
    const sysconfig = join(lib, "_sysconfigdata__linux_x86_64-linux-gnu.py");
    writeFileSync(sysconfig, `{'BINDIR': '/install/bin', 'CONFIG_ARGS': "'--prefix=/install' '--x=/tools/deps'", 'LDFLAGS': '-L/install/lib -I/install/include', 'prefix': '/install', 'srcdir': '/build/install_tmp', 'other': '/usr/install/x'}\n`);
    writeFileSync(join(lib, "config-3.12-x86_64-linux-gnu", "Makefile"), "prefix=\t\t/install\nLIBDIR=\t\t/install/lib\n");
    await python.fixup(dir, "/store/abc-python-3.12.9");
    assert.equal(
      readFileSync(sysconfig, "utf8"),
      `{'BINDIR': '/store/abc-python-3.12.9/bin', 'CONFIG_ARGS': "'--prefix=/store/abc-python-3.12.9' '--x=/tools/deps'", 'LDFLAGS': '-L/store/abc-python-3.12.9/lib -I/store/abc-python-3.12.9/include', 'prefix': '/store/abc-python-3.12.9', 'srcdir': '/build/install_tmp', 'other': '/usr/install/x'}\n`,
    );
    assert.equal(readFileSync(join(lib, "config-3.12-x86_64-linux-gnu", "Makefile"), "utf8"), "prefix=\t\t/store/abc-python-3.12.9\nLIBDIR=\t\t/store/abc-python-3.12.9/lib\n");
  });

  for (const spec of ["3.12", "3.12.7", "3.13.0rc2", ">=3.11 <3.13", "latest"]) it(`accepts "${spec}"`, () => assert.ok(python.isValidSpec(spec)));
  for (const spec of ["lts", "3.12.7.1", "python3"]) it(`rejects "${spec}"`, () => assert.ok(!python.isValidSpec(spec)));
});
