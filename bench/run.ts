// npm run bench: measures devenv against baselines taken in the same run, on this machine.
// A measurement, not a test: it prints a table and exits 0 whatever the numbers.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { cleanEnv, devenvBin, project, repoRoot, tempDir } from "../test/support/cli.js";
import { FakeGithub, publishPythonAtScale } from "../test/support/github.js";
import { Mirror, sha256 } from "../test/support/mirror.js";
import { installed, type Program } from "../test/support/programs.js";
import { publishSevenTools, realBiomeVersion } from "../test/support/github-tools.js";
import { startClosing, startNginx, startRegistry, type Served } from "../test/support/servers.js";
import { realNodeTarball, realNodeVersion } from "../test/support/real-binaries.js";
import { buildTarball, type TarEntry } from "../test/support/tarball.js";
import { publishGo, publishNode, publishPython } from "../test/support/upstreams.js";

/** Wall time of one command, in ms; rejects if it fails. */
function time(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { ...options, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${stderr}`))));
  });
}

/** Each median's runs and range, by its value (a float measured in ms: no two collide), for the table. */
const spreads = new Map<number, [number, number, number]>();

/**
 * Times of `runs` runs of a short command, taken by bash between two reads of $EPOCHREALTIME:
 * what a shell user waits, without the cost of forking this process (which holds the
 * mirror's archives, hundreds of MB) that a spawn from here would add to every figure.
 * `prepare` runs, untimed, before each run.
 */
function shellTimes(runs: number, file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; prepare?: string } = {}): Promise<number> {
  const script = `for i in $(seq "$1"); do eval "$2"; s=$EPOCHREALTIME; "\${@:3}" > /dev/null 2>&1 < /dev/null || exit 1; e=$EPOCHREALTIME; echo "$s $e"; done`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script, "bash", String(runs), options.prepare ?? ":", file, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${file} ${args.join(" ")} failed in the timing loop`));
      const times = out.trim().split("\n").map((line) => line.split(" ").map(Number)).map(([start, end]) => (end! - start!) * 1000);
      let i = 0;
      resolve(median(runs, async () => times[i++]!));
    });
  });
}

async function median(runs: number, measure: (i: number) => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await measure(i));
  times.sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)]!;
  spreads.set(middle, [runs, times[0]!, times.at(-1)!]);
  return middle;
}

/** Medians of `runs` turns of each contestant, one after another, each after a `sync`. */
async function inTurns(runs: number, contestants: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contestants).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, measure] of Object.entries(contestants)) {
      execFileSync("sync");
      times[name]!.push(await measure());
    }
  }
  const result: Record<string, number> = {};
  for (const [name, list] of Object.entries(times)) result[name] = await median(runs, async (i) => list[i]!);
  return result;
}

/** The real mise, as npm ships it, fetched once into the bench's cache (never a dependency of devenv). */
const miseVersion = "2026.9.15";
function miseBinary(): string {
  const dir = join(repoRoot, "node_modules", ".cache", "devenv-bench", `mise-${miseVersion}`);
  const bin = join(dir, "package", "bin", "mise");
  if (existsSync(bin)) return bin;
  const work = `${dir}.${process.pid}.tmp`;
  mkdirSync(work, { recursive: true });
  const packed = execFileSync("npm", ["pack", `@jdxcode/mise-linux-x64@${miseVersion}`, "--pack-destination", work, "--silent"], { encoding: "utf8" }).trim().split("\n").pop()!;
  execFileSync("tar", ["xzf", join(work, packed), "-C", work]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return bin;
}

/** mise reading node and go from `base` (the settings), in a data directory of its own. */
function miseEnv(base: string, data = tempDir("devenv-bench-mise-")): NodeJS.ProcessEnv {
  return cleanEnv({
    HOME: data,
    MISE_DATA_DIR: join(data, "data"),
    MISE_CACHE_DIR: join(data, "cache"),
    MISE_CONFIG_DIR: join(data, "config"),
    MISE_STATE_DIR: join(data, "state"),
    MISE_NODE_MIRROR_URL: `${base}/node/`,
    MISE_USE_VERSIONS_HOST: "false",
    MISE_NODE_GPG_VERIFY: "false",
    MISE_NODE_COMPILE: "false",
    MISE_GO_DOWNLOAD_MIRROR: `${base}/go`,
    // mise lists go's versions with `git ls-remote` even for an exact one: the mirror answers as a dumb-HTTP repository.
    MISE_GO_REPO: `${base}/go.git`,
    MISE_YES: "1",
  });
}

/** Peak resident memory of a process, sampled from /proc while it runs (the launcher execs Node.js: same pid). */
function peakRss(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: "ignore" });
    let peak = 0;
    const sample = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
        peak = Math.max(peak, kb * 1024);
      } catch {
        // exited between samples
      }
    }, 5);
    child.on("close", (code) => {
      clearInterval(sample);
      code === 0 ? resolve(peak) : reject(new Error(`${file} exited ${code}`));
    });
  });
}

/** A toolchain-shaped archive of about `megabytes` of incompressible files, like a real one after gzip. */
function bulkyArchive(top: string, bin: string, megabytes: number): Buffer {
  const entries: TarEntry[] = [{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/${bin}`, mode: 0o755, content: "#!/bin/sh\necho ok\n" }, { path: `${top}/lib/` }];
  for (let i = 0; i < megabytes * 4; i++) entries.push({ path: `${top}/lib/part${i}.so`, content: randomBytes(256 * 1024) });
  return buildTarball(entries);
}

interface Row {
  figure: string;
  median: string;
  spread: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  pass: boolean;
}

async function main(): Promise<void> {
  process.stderr.write("preparing the mirror (a real node archive, python and go of ~30 MB)...\n");
  const mirror = await Mirror.start();
  const node = await realNodeTarball();
  publishNode(mirror, [{ version: realNodeVersion, lts: "Iron", linuxX64: node }], "/node");
  publishGo(mirror, [{ version: "1.22.99", linuxX64: bulkyArchive("go", "go", 30) }], "/go");
  publishPython(mirror, [{ tag: "20260301", builds: [{ version: "3.12.99", linuxX64: bulkyArchive("python", "python3", 30) }] }]);
  // What mise asks go.dev and GitHub for besides the archive: its .sha256, and the tag list (dumb-HTTP git).
  const goArchive = mirror.files.get("/go/go1.22.99.linux-amd64.tar.gz")!;
  mirror.files.set("/go/go1.22.99.linux-amd64.tar.gz.sha256", Buffer.from(sha256(goArchive)));
  mirror.files.set("/go.git/info/refs", Buffer.from(`${"0".repeat(39)}1\trefs/tags/go1.22.99\n`));

  const mirrors = { DEVENV_NODE_MIRROR: `${mirror.url}/node`, DEVENV_GO_MIRROR: `${mirror.url}/go`, DEVENV_PYTHON_MIRROR: `${mirror.url}/python` };
  const env = (home = tempDir("devenv-bench-home-")) => cleanEnv({ DEVENV_HOME: home, ...mirrors });
  const nodeOnly = `export default { tools: { node: "${realNodeVersion}" } };\n`;
  const threeTools = `export default { tools: { node: "${realNodeVersion}", python: "3.12", go: "1.22" } };\n`;
  const devenv = (args: string[], cwd: string, e: NodeJS.ProcessEnv) => time(devenvBin, args, { cwd, env: e });

  const rows: Row[] = [];
  const row = (figure: string, value: number, baseline: number | undefined, target: number, unit = "ms") => {
    const ratio = baseline === undefined ? undefined : value / baseline;
    const measured = ratio ?? value;
    const [runs, min, max] = spreads.get(value) ?? [1, value, value];
    rows.push({ figure, median: `${value.toFixed(unit === "MB" ? 0 : 1)} ${unit}`, spread: `${runs}: ${min.toFixed(0)}-${max.toFixed(0)}`, baseline: baseline === undefined ? "-" : `${baseline.toFixed(1)} ms`, ratio, target: baseline === undefined ? `<= ${target} ${unit}` : `<= ${target}`, pass: measured <= target });
  };

  process.stderr.write("baseline: node -e 0...\n");
  const nodeStart = await shellTimes(21, process.execPath, ["-e", "0"]);
  const mise = miseBinary();
  const miseRun = (args: string[], e: NodeJS.ProcessEnv, cwd?: string) => time(mise, args, { env: e, cwd });

  process.stderr.write("warm run and env, beside mise...\n");
  const warm = project(nodeOnly);
  const warmEnv = env();
  await devenv(["install"], warm, warmEnv);
  await devenv(["run", "true"], warm, warmEnv);
  const warmMise = miseEnv(mirror.url);
  await miseRun(["install", `node@${realNodeVersion}`], warmMise);
  writeFileSync(join(warm, "mise.toml"), `[tools]\nnode = "${realNodeVersion}"\n`);
  const warmRun = await shellTimes(31, devenvBin, ["run", "true"], { cwd: warm, env: warmEnv });
  row("warm `devenv run true`", warmRun, nodeStart, 0.05);
  const miseExec = await shellTimes(31, mise, ["exec", `node@${realNodeVersion}`, "--", "true"], { cwd: warm, env: warmMise });
  row("warm `devenv run true` / `mise exec node -- true`", warmRun, miseExec, 1);
  const warmEnvTime = await shellTimes(31, devenvBin, ["env", "--shell", "bash"], { cwd: warm, env: warmEnv });
  row("warm `devenv env --shell bash`", warmEnvTime, nodeStart, 0.05);
  const hookEnv = await shellTimes(31, mise, ["hook-env", "-s", "bash"], { cwd: warm, env: warmMise });
  row("warm `devenv env --shell bash` / `mise hook-env -s bash`", warmEnvTime, hookEnv, 1);
  row("`devenv list` (nothing changed)", await shellTimes(21, devenvBin, ["list"], { cwd: warm, env: warmEnv }), nodeStart, 1.5);
  row("`devenv which node` (nothing changed)", await shellTimes(21, devenvBin, ["which", "node"], { cwd: warm, env: warmEnv }), nodeStart, 1.5);
  row("`devenv env --shell json` (an editor's question; nothing changed)", await shellTimes(21, devenvBin, ["env", "--shell", "json"], { cwd: warm, env: warmEnv }), nodeStart, 1.5);
  row("`devenv run true` after devenv.ts was touched, not changed", await shellTimes(21, devenvBin, ["run", "true"], { cwd: warm, env: warmEnv, prepare: "touch devenv.ts" }), nodeStart, 1.5);
  row("`devenv install --frozen`, everything installed", await shellTimes(21, devenvBin, ["install", "--frozen"], { cwd: warm, env: warmEnv }), nodeStart, 1.5);
  // The launcher answers the five above. A CI runner that restores only the store (`devenv cache-key`'s
  // cache) has no project state: devenv.ts is evaluated, nothing is installed.
  row("`devenv install --frozen`, everything installed, no project state (CI's step)", await shellTimes(21, devenvBin, ["install", "--frozen"], { cwd: warm, env: warmEnv, prepare: 'rm -rf "$DEVENV_HOME/projects"' }), nodeStart, 2);

  process.stderr.write("run after devenv.ts changed...\n");
  row("`devenv run true` after devenv.ts changed", await shellTimes(21, devenvBin, ["run", "true"], { cwd: warm, env: warmEnv, prepare: 'echo "// edit $i" >> devenv.ts' }), nodeStart, 2);
  row("`devenv env --shell bash` after devenv.ts changed (the shell hooks' and direnv's reload)", await shellTimes(21, devenvBin, ["env", "--shell", "bash"], { cwd: warm, env: warmEnv, prepare: 'echo "// again $i" >> devenv.ts' }), nodeStart, 2);

  process.stderr.write("cold installs...\n");
  const lockFor = async (source: string) => {
    const dir = project(source);
    await devenv(["lock"], dir, env());
    return dir;
  };
  const coldInstall = (dir: string, e = env) => () => devenv(["install"], dir, e());
  const nodeProject = await lockFor(nodeOnly);
  const nodePath = `/node/v${realNodeVersion}/node-v${realNodeVersion}-linux-x64.tar.gz`;
  const servers: Array<[string, () => Promise<Served>]> = [];
  if (installed("nginx")) servers.push(["keep-alive nginx", () => startNginx(mirror)]);
  // A link as fast as a good office's (200 Mbit/s, nginx's limit_rate): the download is no longer a tenth of the install.
  if (installed("nginx")) servers.push(["nginx at 25 MB/s", () => startNginx(mirror, undefined, 25e6)]);
  if (installed("python3")) servers.push(["closing python http.server", () => startClosing(mirror)]);
  if (servers.length === 0) servers.push(["the bench's mirror", async () => ({ url: mirror.url, log: () => "", close: async () => {} })]);
  for (const [name, start] of servers) {
    const server = await start();
    const fromServer = () => cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), DEVENV_NODE_MIRROR: `${server.url}/node`, DEVENV_GO_MIRROR: `${server.url}/go` });
    // Taken in turns, each after a `sync`: the disk's writeback of one run's 100 MB never lands on the next contestant.
    const contestants: Record<string, () => Promise<number>> = {
      curl: () => time("sh", ["-c", `curl -s "$1" | tar xz -C "$2"`, "sh", `${server.url}${nodePath}`, tempDir("devenv-bench-curl-")]),
      devenv: coldInstall(nodeProject, fromServer),
      mise: () => miseRun(["install", `node@${realNodeVersion}`], miseEnv(server.url)),
    };
    const times = await inTurns(5, contestants);
    row(`cold install of the real node, ${name} / \`curl | tar xz\``, times.devenv!, times.curl!, 1.1);
    row(`cold install of the real node, ${name} / \`mise install\``, times.devenv!, times.mise!, 0.9);
    if (name.startsWith("keep-alive")) {
      const goProject = await lockFor(`export default { tools: { go: "1.22.99" } };\n`);
      const go = await inTurns(5, { devenv: coldInstall(goProject, fromServer), mise: () => miseRun(["install", "go@1.22.99"], miseEnv(server.url)) });
      row(`cold install of go (30 MB), ${name} / \`mise install\``, go.devenv!, go.mise!, 0.9);
    }
    await server.close();
  }

  const three = await lockFor(threeTools);
  const single = async (tool: string) => median(3, coldInstall(copyWithOnly(three, tool)));
  const sum = (await single("node")) + (await single("python")) + (await single("go"));
  row("cold install of node + python + go together / the sum of singles", await median(3, coldInstall(three)), sum, 0.5);

  process.stderr.write("second lock and memory...\n");
  const relock = await lockFor(threeTools);
  const relockEnv = env();
  await devenv(["lock", "node", "python", "go"], relock, relockEnv);
  row("second `devenv lock` (indexes cached, 3 tools)", await median(11, () => devenv(["lock", "node", "python", "go"], relock, relockEnv)), nodeStart, 4);
  // A median of three, as every other figure: one run's peak moves with where the downloads and the unpacking meet.
  row("peak RSS of a cold install (3 tools)", await median(3, async () => (await peakRss(devenvBin, ["install"], { cwd: three, env: env() })) / 1e6), undefined, 100, "MB");

  if (installed("docker-registry")) {
    process.stderr.write("cold install from a team cache (a local registry)...\n");
    const registry = await startRegistry();
    const cache = `oci://${registry.url}/bench/devenv`;
    await time(devenvBin, ["cache", "push", "--to", cache], { cwd: three, env: env() });
    const fromCache = () => devenv(["install"], three, cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), ...mirrors, DEVENV_CACHE: cache }));
    const fromMirror = await median(3, coldInstall(three));
    row("cold install of 3 tools from a local registry (team cache) / from the mirror", await median(3, fromCache), fromMirror, 1.2);
    await registry.close();
  }

  process.stderr.write("python release listing from GitHub (no mirror)...\n");
  const github = await FakeGithub.start(mirror, publishPythonAtScale(mirror, "20260401"));
  const listing = project(`export default { tools: { python: "3.13" } };\n`);
  await devenv(["lock"], listing, cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), HTTPS_PROXY: github.proxyUrl, NODE_EXTRA_CA_CERTS: github.caFile }));
  row("bytes a cold python resolve takes from GitHub", github.bytes() / 1e3, undefined, 2000, "KB");
  await github.close();

  if (["rg", "jq", "shellcheck", "gh", "shfmt", "fdfind", "xz"].every((program) => installed(program as Program))) {
    process.stderr.write("seven GitHub tools through an intercepting proxy, beside mise...\n");
    const tools = await FakeGithub.start();
    await publishSevenTools(tools);
    const through = (e: NodeJS.ProcessEnv) => ({ ...e, HTTPS_PROXY: tools.proxyUrl });
    const seven = project(`export default { tools: { gh: "2.23.0", ripgrep: "14.1.1", shfmt: "3.13.0", biome: "${realBiomeVersion}", jq: "1.6", shellcheck: "0.9.0", fd: "8.6.0" } };\n`);
    const devenvEnv = () => through(cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), NODE_EXTRA_CA_CERTS: tools.caFile }));
    await devenv(["lock"], seven, devenvEnv());
    const miseProject = tempDir("devenv-bench-mise-seven-");
    writeFileSync(join(miseProject, "mise.toml"), `[tools]\ngh = "2.23.0"\nripgrep = "14.1.1"\nshfmt = "3.13.0"\nbiome = "${realBiomeVersion}"\njq = "1.6"\nshellcheck = "0.9.0"\nfd = "8.6.0"\n`);
    const miseSeven = () => through({ ...miseEnv(mirror.url), SSL_CERT_FILE: tools.caFile, MISE_TRUSTED_CONFIG_PATHS: miseProject });
    const times = await inTurns(3, { devenv: () => devenv(["install"], seven, devenvEnv()), mise: () => miseRun(["install"], miseSeven(), miseProject) });
    row("cold install of 7 GitHub tools from a complete lock, through the proxy / `mise install`", times.devenv!, times.mise!, 0.8);
    // A lock of the four whose upstream publishes sha256s (a checksum file or GitHub's digest): no archive is downloaded.
    const published = project(`export default { tools: { gh: "2.23.0", ripgrep: "14.1.1", shfmt: "3.13.0", biome: "${realBiomeVersion}" } };\n`);
    tools.requests.length = 0;
    await devenv(["lock"], published, devenvEnv());
    const archives = tools.requests.filter((r) => r.host === "release-assets.githubusercontent.com" && !/(checksums|sha256)/.test(r.path)).length;
    row(`requests per tool of a cold lock of 4 tools with published sha256s (${archives} archives downloaded)`, tools.requests.filter((r) => r.status !== 302).length / 4, undefined, 2, "requests");
    await tools.close();
  }

  await mirror.close();
  print(rows, nodeStart);
}

/** A copy of a locked three-tool project with just one of its tools, for single-install baselines. */
function copyWithOnly(dir: string, tool: string): string {
  const copy = tempDir("devenv-bench-single-");
  cpSync(dir, copy, { recursive: true });
  const lock = JSON.parse(readFileSync(join(copy, "devenv.lock"), "utf8")) as { tools: Record<string, unknown> };
  lock.tools = { [tool]: lock.tools[tool] };
  writeFileSync(join(copy, "devenv.lock"), `${JSON.stringify(lock, null, 2)}\n`);
  const spec = JSON.parse(readFileSync(join(copy, "devenv.lock"), "utf8")).tools[tool].spec as string;
  writeFileSync(join(copy, "devenv.ts"), `export default { tools: { ${tool}: ${JSON.stringify(spec)} } };\n`);
  return copy;
}

function print(rows: Row[], nodeStart: number): void {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(`devenv benchmark, ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores (${cpu}), node ${process.version}; node -e 0 = ${nodeStart.toFixed(1)} ms\n\n`);
  const table = [["figure", "median", "runs: min-max (ms)", "baseline", "ratio", "target", "result"], ...rows.map((r) => [r.figure, r.median, r.spread, r.baseline, r.ratio === undefined ? "-" : r.ratio.toFixed(2), r.target, r.pass ? "pass" : "FAIL"])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  for (const cells of table) process.stdout.write(`| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |\n`);
}

await main();
