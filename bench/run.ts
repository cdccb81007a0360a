// npm run bench: measures devenv against baselines taken in the same run, on this machine.
// A measurement, not a test: it prints a table and exits 0 whatever the numbers.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { cleanEnv, devenvBin, project, tempDir } from "../test/support/cli.js";
import { FakeGithub, publishPythonAtScale } from "../test/support/github.js";
import { Mirror } from "../test/support/mirror.js";
import { installed } from "../test/support/programs.js";
import { startRegistry } from "../test/support/servers.js";
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

async function median(runs: number, measure: (i: number) => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await measure(i));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
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

  const mirrors = { DEVENV_NODE_MIRROR: `${mirror.url}/node`, DEVENV_GO_MIRROR: `${mirror.url}/go`, DEVENV_PYTHON_MIRROR: `${mirror.url}/python` };
  const env = (home = tempDir("devenv-bench-home-")) => cleanEnv({ DEVENV_HOME: home, ...mirrors });
  const nodeOnly = `export default { tools: { node: "${realNodeVersion}" } };\n`;
  const threeTools = `export default { tools: { node: "${realNodeVersion}", python: "3.12", go: "1.22" } };\n`;
  const devenv = (args: string[], cwd: string, e: NodeJS.ProcessEnv) => time(devenvBin, args, { cwd, env: e });

  const rows: Row[] = [];
  const row = (figure: string, value: number, baseline: number | undefined, target: number, unit = "ms") => {
    const ratio = baseline === undefined ? undefined : value / baseline;
    const measured = ratio ?? value;
    rows.push({ figure, median: `${value.toFixed(unit === "MB" ? 0 : 1)} ${unit}`, baseline: baseline === undefined ? "-" : `${baseline.toFixed(1)} ms`, ratio, target: baseline === undefined ? `<= ${target} ${unit}` : `<= ${target}`, pass: measured <= target });
  };

  process.stderr.write("baseline: node -e 0...\n");
  const nodeStart = await median(15, () => time(process.execPath, ["-e", "0"]));

  process.stderr.write("warm run and env...\n");
  const warm = project(nodeOnly);
  const warmEnv = env();
  await devenv(["install"], warm, warmEnv);
  await devenv(["run", "true"], warm, warmEnv);
  row("warm `devenv run true`", await median(30, () => devenv(["run", "true"], warm, warmEnv)), nodeStart, 0.15);
  row("warm `devenv env --shell bash`", await median(30, () => devenv(["env", "--shell", "bash"], warm, warmEnv)), nodeStart, 0.15);

  process.stderr.write("run after devenv.ts changed...\n");
  const config = join(warm, "devenv.ts");
  row("`devenv run true` after devenv.ts changed", await median(11, (i) => {
    writeFileSync(config, `${nodeOnly}// edit ${i}\n`);
    return devenv(["run", "true"], warm, warmEnv);
  }), nodeStart, 4);

  process.stderr.write("cold installs...\n");
  const lockFor = async (source: string) => {
    const dir = project(source);
    await devenv(["lock"], dir, env());
    return dir;
  };
  const nodeProject = await lockFor(nodeOnly);
  const coldInstall = (dir: string) => () => devenv(["install"], dir, env());
  const nodeUrl = `${mirror.url}/node/v${realNodeVersion}/node-v${realNodeVersion}-linux-x64.tar.gz`;
  const curlTar = await median(5, () => time("sh", ["-c", `curl -s "$1" | tar xz -C "$2"`, "sh", nodeUrl, tempDir("devenv-bench-curl-")]));
  row("cold `devenv install` of the real node", await median(5, coldInstall(nodeProject)), curlTar, 1.3);

  const three = await lockFor(threeTools);
  const single = async (tool: string) => median(3, coldInstall(copyWithOnly(three, tool)));
  const sum = (await single("node")) + (await single("python")) + (await single("go"));
  row("cold install of node + python + go together", await median(3, coldInstall(three)), sum, 0.8);

  process.stderr.write("second lock and memory...\n");
  const relock = await lockFor(threeTools);
  const relockEnv = env();
  await devenv(["lock", "node", "python", "go"], relock, relockEnv);
  row("second `devenv lock` (indexes cached, 3 tools)", await median(11, () => devenv(["lock", "node", "python", "go"], relock, relockEnv)), nodeStart, 4);
  row("peak RSS of a cold install (3 tools)", (await peakRss(devenvBin, ["install"], { cwd: three, env: env() })) / 1e6, undefined, 120, "MB");

  if (installed("docker-registry")) {
    process.stderr.write("cold install from a team cache (a local registry)...\n");
    const registry = await startRegistry();
    const cache = `oci://${registry.url}/bench/devenv`;
    await time(devenvBin, ["cache", "push", "--to", cache], { cwd: three, env: env() });
    const fromCache = () => devenv(["install"], three, cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), ...mirrors, DEVENV_CACHE: cache }));
    row("cold install of 3 tools from a local registry (team cache)", await median(3, fromCache), await median(3, coldInstall(three)), 1.2);
    await registry.close();
  }

  process.stderr.write("python release listing from GitHub (no mirror)...\n");
  const github = await FakeGithub.start(mirror, publishPythonAtScale(mirror, "20260401"));
  const listing = project(`export default { tools: { python: "3.13" } };\n`);
  await devenv(["lock"], listing, cleanEnv({ DEVENV_HOME: tempDir("devenv-bench-home-"), HTTPS_PROXY: github.proxyUrl, NODE_EXTRA_CA_CERTS: github.caFile }));
  row("bytes a cold python resolve takes from GitHub", github.bytes() / 1e3, undefined, 2000, "KB");
  await github.close();

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
  const table = [["figure", "median", "baseline", "ratio", "target", "result"], ...rows.map((r) => [r.figure, r.median, r.baseline, r.ratio === undefined ? "-" : r.ratio.toFixed(2), r.target, r.pass ? "pass" : "FAIL"])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  for (const cells of table) process.stdout.write(`| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |\n`);
}

await main();
