import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import bcrypt from "bcryptjs";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, project, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { needs } from "../support/programs.js";
import { startRegistry, startTokenRegistry, type Served } from "../support/servers.js";
import { publishGo, publishNode, publishPython } from "../support/upstreams.js";

/** Toolchains shared through a team cache: a real OCI registry, or an OCI layout directory. */
let mirror: Mirror;
let registry: Served | undefined;
before(async () => {
  mirror = await Mirror.start();
  publishNode(mirror, [{ version: "20.99.1" }, { version: "18.20.9" }], "/node");
  publishGo(mirror, [{ version: "1.22.99" }], "/go");
  publishPython(mirror, [{ tag: "20260301", builds: [{ version: "3.12.99" }] }]);
  if (!needs("docker-registry")) registry = await startRegistry();
});
after(async () => {
  await registry?.close();
  await mirror.close();
});

const three = `export default { tools: { node: "20", python: "3.12", go: "1.22" } };\n`;
const mirrorsAt = (base: string) => ({ DEVENV_NODE_MIRROR: `${base}/node`, DEVENV_GO_MIRROR: `${base}/go`, DEVENV_PYTHON_MIRROR: `${base}/python` });
/** Mirrors that refuse every connection: upstream is down, only the cache can serve. */
const down = mirrorsAt("http://127.0.0.1:9");
const archiveHits = () => [...mirror.hits].filter(([path]) => /\.(tar\.gz|zip)$/.test(path)).reduce((sum, [, n]) => sum + n, 0);

/** A project locked against the mirror, and a first DEVENV_HOME that pushes. */
async function locked() {
  const dir = project(three);
  const env = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...mirrorsAt(mirror.url) });
  assert.equal((await devenv(["lock"], { cwd: dir, env })).code, 0);
  const lock = JSON.parse(readFileSync(join(dir, "devenv.lock"), "utf8")) as { tools: Record<string, { version: string; platforms: Record<string, { sha256: string }> }> };
  return { dir, env, lock };
}

const runAll = (dir: string, env: NodeJS.ProcessEnv, ...flags: string[]) => devenv([...flags, "run", "sh", "-c", "node; python3; go version"], { cwd: dir, env });
const expected = "v20.99.1\nPython 3.12.99 (20260301/install_only_stripped)\ngo version go1.22.99 linux/amd64\n";

describe("an air gap: an OCI layout directory", () => {
  it("push writes a standard layout; a machine with no network installs from it with --offline; a second push copies nothing", { skip: needs("skopeo") }, async () => {
    const { dir, env, lock } = await locked();
    const layout = tempDir("devenv-layout-");
    const push = await devenv(["cache", "push", "--to", `oci-layout:${layout}`], { cwd: dir, env });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /pushed 3 archives to oci-layout:.* \(3 uploaded, 0 already there\)/);
    assert.match((await devenv(["cache", "push", "--to", `oci-layout:${layout}`], { cwd: dir, env })).stderr, /\(0 uploaded, 3 already there\)/);
    // skopeo reads it as the standard it is: the tag's manifest has the lock's sha256 as its one layer.
    const manifest = JSON.parse(execFileSync("skopeo", ["inspect", "--raw", `oci:${layout}:node-20.99.1-linux-x64`], { encoding: "utf8" })) as { artifactType: string; layers: Array<{ digest: string }>; annotations: Record<string, string> };
    assert.equal(manifest.layers[0]!.digest, `sha256:${lock.tools.node!.platforms["linux-x64"]!.sha256}`);
    assert.equal(manifest.artifactType, "application/vnd.devenv.toolchain.v1");
    assert.equal(manifest.annotations["dev.devenv.url"], "https://nodejs.org/dist/v20.99.1/node-v20.99.1-linux-x64.tar.gz");

    const cold = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: `oci-layout:${layout}` });
    const result = await runAll(dir, cold, "--offline");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected);
  });

  it("a layout blob whose bytes are not the lock's is refused like any checksum mismatch, and nothing is stored", async () => {
    const { dir, env, lock } = await locked();
    const layout = tempDir("devenv-layout-");
    assert.equal((await devenv(["cache", "push", "--to", `oci-layout:${layout}`], { cwd: dir, env })).code, 0);
    const blob = join(layout, "blobs", "sha256", lock.tools.go!.platforms["linux-x64"]!.sha256);
    writeFileSync(blob, "not go\n");
    const home = tempDir("devenv-home-");
    const result = await devenv(["install"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: home, ...mirrorsAt(mirror.url), DEVENV_CACHE: `oci-layout:${layout}` }) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error: checksum mismatch for ${blob}: expected sha256 `, "m"));
    assert.equal(readdirSync(join(home, "store")).some((e) => e.includes("-go-")), false);
  });
});

describe("a lock-only edit of a sha256 never makes a team cache serve another blob", () => {
  it("the cache holds node 18's archive; a lock naming node 20's file with node 18's sha256 is refused against upstream's checksums", async () => {
    const { dir, env, lock } = await locked();
    const layout = tempDir("devenv-layout-");
    const other = project(`export default { tools: { node: "18" } };\n`);
    assert.equal((await devenv(["lock"], { cwd: other, env })).code, 0);
    for (const from of [dir, other]) assert.equal((await devenv(["cache", "push", "--to", `oci-layout:${layout}`], { cwd: from, env })).code, 0);
    const older = (JSON.parse(readFileSync(join(other, "devenv.lock"), "utf8")) as typeof lock).tools.node!.platforms["linux-x64"]!.sha256;
    const text = readFileSync(join(dir, "devenv.lock"), "utf8");
    writeFileSync(join(dir, "devenv.lock"), text.replace(lock.tools.node!.platforms["linux-x64"]!.sha256, older));
    const untrusting = (extra: Record<string, string> = {}) => cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...mirrorsAt(mirror.url), DEVENV_CACHE: `oci-layout:${layout}`, DEVENV_TRUST: undefined, ...extra });
    const home = untrusting();
    assert.equal((await devenv(["trust"], { cwd: dir, env: home })).code, 0);
    const online = await devenv(["run", "node"], { cwd: dir, env: home });
    assert.equal(online.code, 1, online.stdout);
    assert.doesNotMatch(online.stdout, /v18/);
    assert.match(online.stderr, /^error: devenv\.lock's sha256 for node 20\.99\.1 \(linux-x64\) is [0-9a-f]{64}, but upstream publishes [0-9a-f]{64} for https:\/\/nodejs\.org\/dist\/v20\.99\.1\/node-v20\.99\.1-linux-x64\.tar\.gz\nhint: .*`devenv lock node`/m);
    assert.equal(readdirSync(join(home.DEVENV_HOME!, "store")).some((e) => e.includes("-node-")), false);
    // Offline, nothing can be checked: refused unless accepted outright.
    const offline = untrusting();
    assert.equal((await devenv(["trust"], { cwd: dir, env: offline })).code, 0);
    const refused = await devenv(["--offline", "run", "node"], { cwd: dir, env: offline });
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /cannot be checked against upstream's checksums \(offline\).*\nhint: .*DEVENV_TRUST=1/);
    // The untouched lock: checked once against upstream, then installed from the cache.
    writeFileSync(join(dir, "devenv.lock"), text);
    const good = untrusting();
    assert.equal((await devenv(["trust"], { cwd: dir, env: good })).code, 0);
    const installed = await runAll(dir, good);
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(installed.stdout, expected);
  });
});

describe("a real OCI registry (the CNCF distribution registry)", { skip: needs("docker-registry", "skopeo") }, () => {
  it("push uploads each archive once as a tagged artifact; a cold machine installs from it with zero requests to upstream", async () => {
    const { dir, env, lock } = await locked();
    const cache = `oci://${registry!.url}/team/devenv`;
    const first = await devenv(["cache", "push", "--to", cache], { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /\(3 uploaded, 0 already there\)/);
    assert.match((await devenv(["cache", "push", "--to", cache], { cwd: dir, env })).stderr, /\(0 uploaded, 3 already there\)/);
    const manifest = JSON.parse(execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${registry!.url}/team/devenv:python-3.12.99-linux-x64`], { encoding: "utf8" })) as { layers: Array<{ digest: string }> };
    assert.equal(manifest.layers[0]!.digest, `sha256:${lock.tools.python!.platforms["linux-x64"]!.sha256}`);

    const before = archiveHits();
    const cold = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: cache });
    const result = await runAll(dir, cold);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected);
    assert.equal(archiveHits(), before, "no archive from upstream");
    const listed = JSON.parse((await devenv(["list", "--json"], { cwd: dir, env: cold })).stdout) as Array<{ name: string; source: string }>;
    assert.deepEqual(listed.map((t) => [t.name, t.source]), [["go", cache], ["node", cache], ["python", cache]], "list says where each archive came from");
  });

  it("eight machines' installs at once from the registry: all succeed, each blob is fetched once per DEVENV_HOME", async () => {
    const { dir, env, lock } = await locked();
    const cache = `oci://${registry!.url}/team/concurrent`;
    assert.equal((await devenv(["cache", "push", "--to", cache], { cwd: dir, env })).code, 0);
    const home = tempDir("devenv-home-");
    const cold = cleanEnv({ DEVENV_HOME: home, ...down, DEVENV_CACHE: cache });
    const results = await Promise.all(Array.from({ length: 8 }, () => devenv(["install"], { cwd: dir, env: cold })));
    results.forEach((r, i) => assert.equal(r.code, 0, `install ${i}: ${r.stderr}`));
    const log = registry!.log();
    for (const tool of ["node", "python", "go"]) {
      const blob = `/v2/team/concurrent/blobs/sha256:${lock.tools[tool]!.platforms["linux-x64"]!.sha256}`;
      // The registry's access log: one line a request.
      assert.equal(log.split(`"GET ${blob} HTTP/1.1"`).length - 1, 1, `${tool}: one GET of its blob`);
    }
  });

  it("set once per user in ~/.config/devenv/config.json, it serves every project; DEVENV_CACHE wins over it", async () => {
    const { dir, env } = await locked();
    const cache = `oci://${registry!.url}/team/settings`;
    assert.equal((await devenv(["cache", "push", "--to", cache], { cwd: dir, env })).code, 0);
    const config = tempDir("devenv-user-config-");
    mkdirSync(join(config, "devenv"));
    writeFileSync(join(config, "devenv", "config.json"), JSON.stringify({ cache }));
    const result = await runAll(dir, cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, XDG_CONFIG_HOME: config }));
    assert.equal(result.stdout, expected, result.stderr);
    const overridden = await runAll(dir, cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, XDG_CONFIG_HOME: config, DEVENV_CACHE: "oci://127.0.0.1:9/nowhere" }));
    assert.equal(overridden.code, 1, "the environment's cache (down) was used, not the user's");
  });

  it("a cache that misses (404) or is down falls through to the mirror, said only under -v", async () => {
    const { dir } = await locked();
    for (const cache of [`oci://${registry!.url}/team/empty`, "oci://127.0.0.1:9/team/devenv"]) {
      const e = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...mirrorsAt(mirror.url), DEVENV_CACHE: cache });
      const result = await runAll(dir, e, "-v");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, expected);
      assert.match(result.stderr, new RegExp(`${cache.replaceAll(".", "\\.").replaceAll("/", "\\/")}: .*; trying the next source`));
      const quiet = await runAll(dir, cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...mirrorsAt(mirror.url), DEVENV_CACHE: cache }));
      assert.doesNotMatch(quiet.stderr, /trying the next source/);
    }
  });
});

describe("a registry that wants credentials (htpasswd, Basic)", { skip: needs("docker-registry") }, () => {
  let guarded: Served;
  before(async () => (guarded = await startRegistry({ htpasswd: `ci:${bcrypt.hashSync("s3cr3t", 4)}\n` })));
  after(() => guarded.close());

  it("push without credentials is one line saying how to give them; with them it works, and a pull finds them in ~/.docker/config.json", async () => {
    const { dir, env } = await locked();
    const cache = `oci://${guarded.url}/team/devenv`;
    const refused = await devenv(["cache", "push", "--to", cache], { cwd: dir, env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`^error: ${cache.replaceAll(".", "\\.")} asks for credentials\nhint: set DEVENV_CACHE_USER and DEVENV_CACHE_PASSWORD`, "m"));
    const pushed = await devenv(["cache", "push", "--to", cache], { cwd: dir, env: { ...env, DEVENV_CACHE_USER: "ci", DEVENV_CACHE_PASSWORD: "s3cr3t" } });
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.doesNotMatch(pushed.stderr + pushed.stdout, /s3cr3t/, "credentials are never printed");

    const docker = tempDir("devenv-docker-config-");
    writeFileSync(join(docker, "config.json"), JSON.stringify({ auths: { [guarded.url]: { auth: Buffer.from("ci:s3cr3t").toString("base64") } } }));
    const before = archiveHits();
    const cold = cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: cache, DOCKER_CONFIG: docker });
    const result = await runAll(dir, cold);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected);
    assert.equal(archiveHits(), before);

    // A credential helper, as `docker login` with a credsStore leaves it: docker-credential-<name> get.
    const helpers = tempDir("devenv-cred-helper-");
    writeFileSync(join(helpers, "docker-credential-devenvtest"), `#!/bin/sh\nread host\n[ "$host" = "${guarded.url}" ] && echo '{"ServerURL":"'$host'","Username":"ci","Secret":"s3cr3t"}'\n`, { mode: 0o755 });
    writeFileSync(join(docker, "config.json"), JSON.stringify({ credHelpers: { [guarded.url]: "devenvtest" } }));
    const helped = await runAll(dir, { ...cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: cache, DOCKER_CONFIG: docker }), PATH: `${helpers}:${process.env.PATH}` });
    assert.equal(helped.stdout, expected, helped.stderr);
  });
});

describe("a registry with Bearer token auth, as ghcr.io and Docker Hub speak it", { skip: needs("docker-registry") }, () => {
  let front: Served & { tokensIssued: string[] };
  before(async () => (front = await startTokenRegistry(registry!, { user: "ci", password: "t0ken", anonymousPull: true })));
  after(() => front.close());

  it("push trades user and password for a pull,push token at the realm; a cold machine pulls with an anonymous pull token", async () => {
    const { dir, env } = await locked();
    const cache = `oci://${front.url}/team/bearer`;
    const pushed = await devenv(["cache", "push", "--to", cache], { cwd: dir, env: { ...env, DEVENV_CACHE_USER: "ci", DEVENV_CACHE_PASSWORD: "t0ken" } });
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.ok(front.tokensIssued.includes("repository:team/bearer:pull,push"), front.tokensIssued.join(", "));
    const before = archiveHits();
    const result = await runAll(dir, cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: cache }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected);
    assert.equal(archiveHits(), before);
    assert.ok(front.tokensIssued.includes("repository:team/bearer:pull"));
  });

  it("a registry that refuses an upload in one piece (413) gets it in chunks", async () => {
    const strict = await startTokenRegistry(registry!, { user: "ci", password: "t0ken", refuseMonolithic: true });
    try {
      const { dir, env } = await locked();
      const cache = `oci://${strict.url}/team/chunked`;
      const pushed = await devenv(["cache", "push", "--to", cache], { cwd: dir, env: { ...env, DEVENV_CACHE_USER: "ci", DEVENV_CACHE_PASSWORD: "t0ken" } });
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.ok(strict.requests.some((r) => r.startsWith("PATCH /v2/team/chunked/blobs/uploads/")), strict.requests.join("\n"));
      const result = await runAll(dir, cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), ...down, DEVENV_CACHE: cache, DEVENV_CACHE_USER: "ci", DEVENV_CACHE_PASSWORD: "t0ken" }));
      assert.equal(result.stdout, expected, result.stderr);
    } finally {
      await strict.close();
    }
  });

  it("a token that may only pull cannot push: one line that says so", async () => {
    const { dir, env } = await locked();
    const token = ((await (await fetch(`http://${front.url}/token?scope=repository:team/bearer:pull`)).json()) as { token: string }).token;
    const refused = await devenv(["cache", "push", "--to", `oci://${front.url}/team/bearer`], { cwd: dir, env: { ...env, DEVENV_CACHE_TOKEN: token } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: oci:\/\/127\.0\.0\.1:\d+\/team\/bearer: .* answered 403: .*denied/m);
    assert.match(refused.stderr, /^hint: give credentials that may push/m);
    assert.doesNotMatch(refused.stderr, new RegExp(token));
  });
});
