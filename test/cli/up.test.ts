import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cleanEnv, devenv, devenvBin, project, tempDir } from "../support/cli.js";
import { needs } from "../support/programs.js";

/** A port nothing listens on, for this test alone. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const env = () => cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), DEVENV_TRUST: "1" });

/** Is the process alive? A zombie is not: a container's pid 1 may never reap what was reparented to it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

const pidIn = (dir: string, file: string) => Number(readFileSync(join(dir, file), "utf8").trim());

/** `devenv up` in the background: its output so far, a wait for a line, its exit. */
function up(dir: string, e: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn(devenvBin, ["up", ...args], { cwd: dir, env: e, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((wake) => wake());
  child.stdout.on("data", (d: Buffer) => ((stdout += d.toString()), notify()));
  child.stderr.on("data", (d: Buffer) => ((stderr += d.toString()), notify()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitFor(pattern: RegExp, within = 30_000): Promise<void> {
      const deadline = Date.now() + within;
      while (!pattern.test(stdout + stderr)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${stdout}\n${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

describe("devenv up: the project's processes", { skip: needs("python3") }, () => {
  it("starts each after what it needs is ready, prefixes every line with its name, and on SIGINT stops them all, last first, leaving nothing", async () => {
    const port = await freePort();
    const dir = project(`export default {
  processes: {
    web: { run: "echo $$ > web.pid; sleep 300 & echo $! > child.pid; echo web up on $DB_PORT; wait", after: ["db"], env: { DB_PORT: "${port}" } },
    db: { run: "echo $$ > db.pid; echo starting; sleep 0.3; exec python3 -m http.server ${port} --bind 127.0.0.1", ready: { tcp: ${port} } },
    once: "echo one-off done",
  },
};
`);
    const running = up(dir, env());
    await running.waitFor(/^web +\| web up on \d+$/m);
    const out = running.stdout;
    assert.match(out, /^db +\| starting$/m);
    assert.ok(out.indexOf("db   | starting") < out.indexOf("web  | web up"), out);
    assert.match(running.stderr, /^db is ready$/m);
    const pids = ["web.pid", "db.pid", "child.pid"].map((file) => pidIn(dir, file));
    assert.ok(pids.every(alive), "all running");
    running.child.kill("SIGINT");
    assert.equal(await running.exited, 0, running.stderr);
    assert.match(running.stderr, /SIGINT: stopping/);
    for (const pid of pids) assert.equal(alive(pid), false, `${pid} stopped, the grandchild in its group too`);
  });

  it("a process that fails stops the others and is named with its last lines; up exits 1", async () => {
    const dir = project(`export default {
  processes: {
    slow: "echo $$ > slow.pid; exec sleep 300",
    bad: { run: "echo oops >&2; sleep 0.5; exit 3", after: ["slow"] },
  },
};
`);
    const result = await devenv(["up"], { cwd: dir, env: env() });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^bad +\| oops$/m, "its output, under its name");
    assert.match(result.stderr, /^error: bad exited with code 3 \(its output is above, under "bad"\)\nhint: fix bad/m);
    assert.equal(alive(pidIn(dir, "slow.pid")), false, "slow was stopped");
  });

  it("a readiness that never comes is a timeout naming the process and what it waited for", async () => {
    const port = await freePort();
    const dir = project(`export default { processes: { never: { run: "echo $$ > never.pid; exec sleep 300", ready: { tcp: ${port}, timeout: 1 } }, later: { run: "touch later.ran", after: ["never"] } } };\n`);
    const result = await devenv(["up"], { cwd: dir, env: env() });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^error: never did not become ready in 1 s \\(port ${port} did not open\\); it printed nothing$`, "m"));
    assert.equal(existsSync(join(dir, "later.ran")), false, "what comes after it never started");
    assert.equal(alive(pidIn(dir, "never.pid")), false);
  });

  it("up NAME starts it and what it comes after, nothing else; ready by a log line or an http answer", async () => {
    const port = await freePort();
    const dir = project(`export default {
  processes: {
    api: { run: "exec python3 -m http.server ${port} --bind 127.0.0.1", ready: { http: "http://127.0.0.1:${port}/" } },
    queue: { run: "echo warming; sleep 0.2; echo queue accepting jobs; exec sleep 300", ready: { log: "accepting jobs$" } },
    worker: { run: "echo worker sees the queue; exec sleep 300", after: ["queue", "api"] },
    unrelated: "touch unrelated.ran; exec sleep 300",
  },
};
`);
    const running = up(dir, env(), ["worker"]);
    await running.waitFor(/^worker \| worker sees the queue$/m);
    assert.match(running.stderr, /^api is ready$/m);
    assert.equal(existsSync(join(dir, "unrelated.ran")), false);
    running.child.kill("SIGTERM");
    assert.equal(await running.exited, 0);
  });

  it("bad processes are config errors naming the key: a cycle, an unknown name, an unknown process to start", async () => {
    const cases: Array<[string, RegExp]> = [
      [`{ a: { run: "true", after: ["b"] }, b: { run: "true", after: ["a"] } }`, /processes\.a\.after = \["b"\]: is a cycle: a -> b -> a/],
      [`{ a: { run: "true", after: ["db"] } }`, /processes\.a\.after = \["db"\]: names "db", which is no process/],
      [`{ a: { run: "true", ready: { tcp: 99999 } } }`, /processes\.a\.ready\.tcp = 99999: is not a way readiness shows/],
      [`{ a: { run: "" } }`, /processes\.a\.run = "": must be a command/],
    ];
    for (const [processes, expected] of cases) {
      const result = await devenv(["up"], { cwd: project(`export default { processes: ${processes} };\n`), env: env() });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, expected);
    }
    const service = await devenv(["up"], { cwd: project(`export default { services: { redis: {} } };\n`), env: env() });
    assert.equal(service.code, 2);
    assert.match(service.stderr, /services\.redis = \{\}: unknown service; known: postgres/);
    const toolless = await devenv(["up"], { cwd: project(`export default { services: { postgres: { port: 5433 } } };\n`), env: env() });
    assert.equal(toolless.code, 2);
    assert.match(toolless.stderr, /services\.postgres = \{"port":5433\}: runs the postgres of devenv\.ts's tools, which has none/);
    const unknown = await devenv(["up", "nope"], { cwd: project(`export default { processes: { a: "true" } };\n`), env: env() });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: no process "nope" in devenv\.ts\nhint: one of: a\n$/);
  });

  it("up -d returns once all are ready; ps and logs show them; a second up says so; down stops everything", async () => {
    const port = await freePort();
    const dir = project(`export default {
  processes: {
    db: { run: "echo db starting; exec python3 -m http.server ${port} --bind 127.0.0.1", ready: { tcp: ${port} } },
    web: { run: "echo $$ > web.pid; sleep 300 & echo $! > child.pid; echo web up; wait", after: ["db"] },
  },
};
`);
    const e = env();
    const started = await devenv(["up", "-d"], { cwd: dir, env: e });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /^db ready \(pid \d+\)\nweb ready \(pid \d+\)$/m);
    const ps = JSON.parse((await devenv(["ps", "--json"], { cwd: dir, env: e })).stdout) as { supervisor: number; processes: Array<{ name: string; state: string; pid: number; ports: number[] }> };
    assert.deepEqual(ps.processes.map((p) => [p.name, p.state]), [["db", "ready"], ["web", "ready"]]);
    assert.deepEqual(ps.processes[0]!.ports, [port]);
    assert.ok(alive(ps.supervisor));
    const logs = await devenv(["logs", "web"], { cwd: dir, env: e });
    assert.equal(logs.stdout, "web up\n");
    // A file beside the logs that a name with ../ would reach: a name is never a path.
    writeFileSync(join(e.DEVENV_HOME!, "projects", realpathSync(dir), "=", "processes", "secret.log"), "not a log\n");
    const elsewhere = await devenv(["logs", "../secret"], { cwd: dir, env: e });
    assert.equal(elsewhere.code, 2, elsewhere.stdout);
    assert.match(elsewhere.stderr, /^error: no log of "\.\.\/secret"\nhint: one of: db, web\n$/);
    const again = await devenv(["up", "-d"], { cwd: dir, env: e });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: this project's processes are already running \(devenv up -d\)\nhint: `devenv ps` shows them; `devenv down` stops them\n$/);
    const pids = [ps.supervisor, ...ps.processes.map((p) => p.pid), pidIn(dir, "child.pid")];
    const down = await devenv(["down"], { cwd: dir, env: e });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /^stopped db, web$/m);
    for (const pid of pids) assert.equal(alive(pid), false, `${pid} is gone`);
    assert.match((await devenv(["down"], { cwd: dir, env: e })).stderr, /^nothing was running$/m);
  });

  it("a killed supervisor: ps says what it left, and down still stops it", async () => {
    const dir = project(`export default { processes: { sleeper: "echo $$ > sleeper.pid; exec sleep 300" } };\n`);
    const e = env();
    assert.equal((await devenv(["up", "-d"], { cwd: dir, env: e })).code, 0);
    const { supervisor } = JSON.parse((await devenv(["ps", "--json"], { cwd: dir, env: e })).stdout) as { supervisor: number };
    process.kill(supervisor, "SIGKILL");
    while (alive(supervisor)) await new Promise((resolve) => setTimeout(resolve, 50));
    const ps = await devenv(["ps"], { cwd: dir, env: e });
    assert.match(ps.stderr, /the supervisor is gone and left processes running: `devenv down` stops them/);
    assert.equal((await devenv(["down"], { cwd: dir, env: e })).code, 0);
    assert.equal(alive(pidIn(dir, "sleeper.pid")), false);
  });

  it("up -d where a process never becomes ready fails naming it and its last lines, and leaves nothing running", async () => {
    const port = await freePort();
    const dir = project(`export default { processes: { stuck: { run: "echo $$ > stuck.pid; echo waiting for godot; exec sleep 300", ready: { tcp: ${port}, timeout: 1 } } } };\n`);
    const e = env();
    const started = await devenv(["up", "-d"], { cwd: dir, env: e });
    assert.equal(started.code, 1, started.stderr);
    assert.match(started.stderr, new RegExp(`^error: stuck did not become ready in 1 s \\(port ${port} did not open\\) \\(its output is in \`devenv logs stuck\`\\)\\nhint: its last lines: waiting for godot; \`devenv logs stuck\` shows more\\n$`));
    assert.equal(alive(pidIn(dir, "stuck.pid")), false);
  });

  it("restart: on-failure starts it again after a pause; logs -f follows what it prints", async () => {
    const dir = project(`export default { processes: { flaky: { run: "n=$(cat tries 2>/dev/null || echo 0); echo $((n + 1)) > tries; echo try $((n + 1)); [ $n -ge 1 ] && exec sleep 300; exit 7", restart: "on-failure" } } };\n`);
    const e = env();
    assert.equal((await devenv(["up", "-d"], { cwd: dir, env: e })).code, 0);
    const follow = spawn(devenvBin, ["logs", "-f", "flaky"], { cwd: dir, env: e, stdio: ["ignore", "pipe", "pipe"] });
    let followed = "";
    follow.stdout.on("data", (d: Buffer) => (followed += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!followed.includes("try 2") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(followed, /^try 1\n/m);
    assert.match(followed, /^try 2$/m, "restarted once, after it exited 7");
    follow.kill("SIGINT");
    assert.equal(await new Promise((resolve) => follow.on("close", resolve)), 0);
    assert.equal((await devenv(["down"], { cwd: dir, env: e })).code, 0);
  });

  it("trust --revoke removes what running devenv.ts made, and keeps a service's data (a database is the user's)", async () => {
    const dir = project(`export default { processes: { a: "true" } };\n`);
    const e = env();
    const home = e.DEVENV_HOME!;
    assert.equal((await devenv(["run", "true"], { cwd: dir, env: e })).code, 0);
    const state = join(home, "projects", realpathSync(dir), "=");
    mkdirSync(join(state, "services", "postgres", "data"), { recursive: true });
    writeFileSync(join(state, "services", "postgres", "data", "PG_VERSION"), "17\n");
    const revoked = await devenv(["trust", "--revoke"], { cwd: dir, env: e });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, /its services' data stays in .*services; remove it yourself/);
    assert.deepEqual(readdirSync(state), ["services"]);
    assert.equal(readFileSync(join(state, "services", "postgres", "data", "PG_VERSION"), "utf8"), "17\n");
  });
});

