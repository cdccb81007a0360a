import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { removeTree } from "../../files/tree.js";
import { cleanEnv, devenv, nodeConfig, project, tempDir } from "../support/cli.js";
import { Mirror, sha256 } from "../support/mirror.js";
import { needs, type Program } from "../support/programs.js";
import { realNodeTarball, realNodeVersion } from "../support/real-binaries.js";
import { certificate, startClosing, startNginx, startRedirecting, startSquid, startTinyproxy, type Certificate, type Served } from "../support/servers.js";
import { publishGo, publishNode, publishPython } from "../support/upstreams.js";

/**
 * The same cold lock, install and run of node, python and go, against every
 * kind of server the real download hosts are: they redirect, close the
 * connection after each response, sit behind proxies and TLS.
 */
let mirror: Mirror;
let tls: Certificate | undefined;
const servers: Served[] = [];

before(async () => {
  mirror = await Mirror.start();
  publishNode(mirror, [{ version: "20.99.1", lts: "Iron" }], "/node");
  publishGo(mirror, [{ version: "1.22.99" }], "/go");
  publishPython(mirror, [{ tag: "20260301", builds: [{ version: "3.12.99" }] }]);
  if (!needs("openssl")) tls = certificate();
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await mirror.close();
  tls?.remove();
});

async function serve(start: () => Promise<Served>): Promise<Served> {
  const served = await start();
  servers.push(served);
  return served;
}

function dirs() {
  const home = tempDir("devenv-home-");
  const dir = project(`import { defineConfig } from "devenv";\nexport default defineConfig({ tools: { node: "20", python: "3.12", go: "1.22" } });\n`);
  return { home, dir };
}

/** These proxy variables and no others: the developer's own (lower case first, as curl reads them) would win. */
function proxies(set: Partial<Record<"http_proxy" | "HTTP_PROXY" | "HTTPS_PROXY" | "no_proxy", string>>): Record<string, string | undefined> {
  const none = Object.fromEntries(["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"].map((name) => [name, undefined]));
  return { ...none, ...set };
}

function mirrorsAt(base: string, home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: `${base}/node`, DEVENV_GO_MIRROR: `${base}/go`, DEVENV_PYTHON_MIRROR: `${base}/python`, ...extra });
}

/** Cold lock, install and run of all three; then what each tool prints. */
async function lockInstallRun(env: NodeJS.ProcessEnv, dir: string, home: string): Promise<void> {
  for (const args of [["lock"], ["install"]]) {
    const result = await devenv(args, { cwd: dir, env });
    assert.equal(result.code, 0, `devenv ${args.join(" ")}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: Record<string, { version: string; platforms: Record<string, { url: string }> }> };
  assert.deepEqual(Object.fromEntries(Object.entries(lock.tools).map(([tool, t]) => [tool, t.version])), { go: "1.22.99", node: "20.99.1", python: "3.12.99" });
  assert.match(lock.tools.python!.platforms["linux-x64"]!.url, /^https:\/\/github\.com\//, "the lock names the canonical URL, not the server");
  const run = await devenv(["run", "sh", "-c", "node; python3; go version"], { cwd: dir, env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "v20.99.1\nPython 3.12.99 (20260301/install_only_stripped)\ngo version go1.22.99 linux/amd64\n");
  assert.deepEqual(readdirSync(join(home, "tmp")), [], "nothing left in DEVENV_HOME/tmp");
}

const kinds: Array<{ name: string; programs: Program[]; start: () => Promise<{ base: string; extra?: Record<string, string | undefined>; served: Served }>; saw: RegExp; never?: RegExp }> = [
  {
    name: "a redirecting front (302 to a CDN with a signed query, as github.com and S3 do)",
    programs: [],
    start: async () => {
      const served = await serve(() => startRedirecting(mirror));
      return { base: served.url, served };
    },
    saw: /\/python\/20260301\/cpython-3\.12\.99%2B20260301-x86_64-unknown-linux-gnu-install_only_stripped\.tar\.gz/,
  },
  {
    name: "python's http.server (HTTP/1.0, the connection closed after every response)",
    programs: ["python3"],
    start: async () => {
      const served = await serve(() => startClosing(mirror));
      return { base: served.url, served };
    },
    saw: /"GET \/go\/go1\.22\.99\.linux-amd64\.tar\.gz HTTP\/1\.1" 200/,
  },
  {
    name: "nginx over http",
    programs: ["nginx"],
    start: async () => {
      const served = await serve(() => startNginx(mirror));
      return { base: served.url, served };
    },
    saw: /"GET \/node\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz HTTP\/1\.1" 200/,
  },
  {
    name: "nginx over https with a private CA (NODE_EXTRA_CA_CERTS)",
    programs: ["nginx", "openssl"],
    start: async () => {
      const served = await serve(() => startNginx(mirror, tls));
      return { base: served.url, extra: { NODE_EXTRA_CA_CERTS: tls!.file }, served };
    },
    saw: /"GET \/python\/releases\.json HTTP\/1\.1" 200/,
  },
  {
    name: "tinyproxy that wants basic auth, named in http_proxy with user:password, before an http mirror (GET http://..., as curl sends it)",
    programs: ["tinyproxy"],
    start: async () => {
      const served = await serve(() => startTinyproxy({ user: "alice", password: "pa.ss-w_rd" }));
      return { base: mirror.url, extra: proxies({ http_proxy: served.url.replace("//", "//alice:pa.ss-w_rd@") }), served };
    },
    saw: /Request \(file descriptor \d+\): GET http:\/\/127\.0\.0\.1:\d+\/node\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz HTTP/,
    never: / CONNECT [\w.-]+:\d+ /,
  },
  {
    name: "tinyproxy that wants basic auth, named in HTTPS_PROXY with user:password, before an https mirror (CONNECT)",
    programs: ["tinyproxy", "nginx", "openssl"],
    start: async () => {
      const served = await serve(() => startTinyproxy({ user: "alice", password: "pa.ss-w_rd" }));
      const nginx = await serve(() => startNginx(mirror, tls));
      return { base: nginx.url, extra: { ...proxies({ HTTPS_PROXY: served.url.replace("//", "//alice:pa.ss-w_rd@") }), NODE_EXTRA_CA_CERTS: tls!.file }, served };
    },
    saw: /Request \(file descriptor \d+\): CONNECT 127\.0\.0\.1:\d+ HTTP/,
  },
  {
    // Squid's stock rules allow CONNECT only to port 443: a plain http request tunnelled with CONNECT is refused.
    name: "Debian's squid with its stock rules, named in HTTP_PROXY, before an http mirror on a high port (GET http://..., never CONNECT)",
    programs: ["squid"],
    start: async () => {
      const served = await serve(startSquid);
      return { base: mirror.url, extra: proxies({ HTTP_PROXY: served.url }), served };
    },
    saw: /TCP_\w+\/200 \d+ GET http:\/\/127\.0\.0\.1:\d+\/node\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz /,
    never: / CONNECT [\w.-]+:\d+ /,
  },
];

describe("cold lock, install and run of node, python and go against every kind of server", () => {
  for (const kind of kinds) {
    it(kind.name, { skip: needs(...kind.programs) }, async () => {
      const { base, extra, served } = await kind.start();
      const { home, dir } = dirs();
      await lockInstallRun(mirrorsAt(base, home, extra), dir, home);
      assert.match(served.log(), kind.saw, "the requests went through this server");
      if (kind.never !== undefined) assert.doesNotMatch(served.log(), kind.never);
    });
  }
});

describe("what is refused, in one line", () => {
  it("a redirect from https to http is refused before it is sent", { skip: needs("openssl") }, async () => {
    const front = await serve(() => startRedirecting(mirror, { tls }));
    const { home, dir } = dirs();
    const before = mirror.count("/node/index.json");
    const result = await devenv(["lock"], { cwd: dir, env: mirrorsAt(front.url, home, { NODE_EXTRA_CA_CERTS: tls!.file }) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error: GET ${front.url}/(node/index\\.json|go/index\\.json|python/releases\\.json) failed: redirected from https to ${mirror.url}/`, "m"));
    assert.equal(mirror.count("/node/index.json"), before, "the http URL was never asked for");
  });

  it("more than 5 redirects: an error naming the URL", async () => {
    const front = await serve(() => startRedirecting(mirror, { hops: 7 }));
    const { home, dir } = dirs();
    const result = await devenv(["lock", "node"], { cwd: dir, env: mirrorsAt(front.url, home) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error: GET ${front.url}/\\w+/(index|releases)\\.json answered 302 to /\\w+/(index|releases)\\.json\\?hop=6 after 5 redirects$`, "m"));
  });

  it("an https mirror whose CA is not trusted: one line that names NODE_EXTRA_CA_CERTS", { skip: needs("nginx", "openssl") }, async () => {
    const nginx = await serve(() => startNginx(mirror, tls));
    const { home, dir } = dirs();
    const result = await devenv(["lock"], { cwd: dir, env: mirrorsAt(nginx.url, home) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: GET https:\/\/127\.0\.0\.1:\d+\/\w+\/\w+\.json failed: its TLS certificate is not signed by a CA this machine trusts \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/m);
    assert.match(result.stderr, /^hint: .*NODE_EXTRA_CA_CERTS/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it("a proxy that wants credentials and gets none: one line that says how to give them", { skip: needs("tinyproxy") }, async () => {
    const proxy = await serve(() => startTinyproxy({ user: "alice", password: "s3cret" }));
    const { home, dir } = dirs();
    const result = await devenv(["lock"], { cwd: dir, env: mirrorsAt(mirror.url, home, proxies({ HTTP_PROXY: proxy.url })) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`failed: the proxy ${proxy.url.replace(/\./g, "\\.")} asks for credentials \\(407\\)$`, "m"));
    assert.match(result.stderr, /^hint: put them in the proxy URL/m);
  });

  it("a proxy that refuses to CONNECT (Debian's squid, to an https mirror on a port other than 443): one line naming the proxy and its 403", { skip: needs("squid") }, async () => {
    const squid = await serve(startSquid);
    const home = tempDir("devenv-home-");
    // node alone: the other tools' default mirrors are on the internet, which squid would try to reach.
    const dir = project(nodeConfig("20"));
    // Squid refuses before any TLS: nothing needs to answer https on this port.
    const target = `https://127.0.0.1:${new URL(mirror.url).port}/node`;
    // Credentials that squid (no auth configured) ignores, and the error must not show.
    const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: target, ...proxies({ HTTPS_PROXY: squid.url.replace("//", "//alice:s3cret@") }) });
    const result = await devenv(["lock"], { cwd: dir, env });
    assert.equal(result.code, 1, result.stderr);
    const [error, hint, ...rest] = result.stderr.trimEnd().split("\n");
    assert.equal(error, `error: GET ${target}/index.json failed: the proxy ${squid.url} answered 403 to CONNECT`);
    assert.match(hint ?? "", /^hint: .*port 443.*NO_PROXY/);
    assert.deepEqual(rest, []);
    assert.doesNotMatch(result.stderr, /s3cret/);
    assert.match(squid.log(), /TCP_DENIED\/403 \d+ CONNECT 127\.0\.0\.1:\d+ /);
  });

  it("NO_PROXY sends matching hosts around the proxy", { skip: needs("tinyproxy") }, async () => {
    const proxy = await serve(() => startTinyproxy({ user: "alice", password: "s3cret" }));
    const { home, dir } = dirs();
    const result = await devenv(["lock"], { cwd: dir, env: mirrorsAt(mirror.url, home, proxies({ HTTP_PROXY: proxy.url, no_proxy: "localhost,127.0.0.1" })) });
    assert.equal(result.code, 0, result.stderr);
  });

  it("a go release listed with empty sha256s is never locked: it says the release has no published checksums", async () => {
    const m = await Mirror.start();
    try {
      publishGo(m, [{ version: "1.22.99" }, { version: "1.2.2", unchecked: true }]);
      const { home } = dirs();
      const dir = project(`export default { tools: { go: "1.2.2" } };\n`);
      const result = await devenv(["lock"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: home, DEVENV_GO_MIRROR: `${m.url}/go` }) });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.split("\n")[0], "error: go 1.2.2 has no published checksums, so devenv cannot pin it");
      assert.equal(existsSync(join(dir, "devenv.lock")), false, "no lock that devenv would refuse to read");
    } finally {
      await m.close();
    }
  });

  it("an empty or garbled checksum file is an error naming its URL", async () => {
    const m = await Mirror.start();
    try {
      publishNode(m, [{ version: "20.99.1" }]);
      const { home, dir } = dirs();
      for (const [body, why] of [["", "it is empty"], ["<html>Moved</html>\n", "no line reads <sha256>  <file>"]] as const) {
        m.files.set("/v20.99.1/SHASUMS256.txt", Buffer.from(body));
        const result = await devenv(["lock"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: m.url }) });
        assert.equal(result.code, 1);
        assert.equal(result.stderr.split("\n")[0], `error: ${m.url}/v20.99.1/SHASUMS256.txt holds no checksums (${why})`);
      }
    } finally {
      await m.close();
    }
  });
});

describe("real-size archives against a closing server", () => {
  let archive: Buffer;
  let big: Mirror;
  let closing: Served;
  before(async () => {
    if (needs("python3")) return;
    archive = await realNodeTarball();
    big = await Mirror.start();
    publishNode(big, [{ version: realNodeVersion, linuxX64: archive, platforms: ["linux-x64"] }]);
    closing = await serve(() => startClosing(big));
  });
  after(() => big?.close());

  it(`20 cold installs of the real node archive (${"~"}40 MB) in a row: no crash, each one whole`, { skip: needs("python3") }, async () => {
    const dir = project(`import { defineConfig } from "devenv";\nexport default defineConfig({ tools: { node: "${realNodeVersion}" } });\n`);
    const lockHome = tempDir("devenv-home-");
    const env = (home: string) => cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: closing.url });
    assert.equal((await devenv(["lock"], { cwd: dir, env: env(lockHome) })).code, 0);
    for (let i = 0; i < 20; i++) {
      const home = tempDir("devenv-home-");
      try {
        const result = await devenv(["run", "node", "-e", "console.log(process.version)"], { cwd: dir, env: env(home) });
        assert.equal(result.code, 0, `install ${i + 1}: ${result.stderr}`);
        assert.equal(result.stdout, `v${realNodeVersion}\n`);
        assert.deepEqual(readdirSync(join(home, "tmp")), []);
      } finally {
        await removeTree(home);
      }
    }
  });

  it("a tampered sha256 in the lock, for the real-size archive: checksum mismatch, exit 1, nothing left", { skip: needs("python3") }, async () => {
    const dir = project(`import { defineConfig } from "devenv";\nexport default defineConfig({ tools: { node: "${realNodeVersion}" } });\n`);
    const home = tempDir("devenv-home-");
    const env = cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: closing.url });
    assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
    const real = sha256(archive);
    const tampered = `${real.slice(0, 63)}${real[63] === "0" ? "1" : "0"}`;
    writeFileSync(join(dir, "devenv.lock"), readFileSync(join(dir, "devenv.lock"), "utf8").replace(real, tampered));
    const result = await devenv(["install"], { cwd: dir, env });
    assert.equal(result.code, 1);
    const url = `${closing.url}/v${realNodeVersion}/node-v${realNodeVersion}-linux-x64.tar.gz`;
    assert.equal(result.stderr.split("\n")[0], `error: checksum mismatch for ${url}: expected sha256 ${tampered}, got ${real}`);
    assert.deepEqual(readdirSync(join(home, "tmp")), []);
    assert.deepEqual(readdirSync(join(home, "store")), []);
  });
});
