import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cleanEnv, devenv, devenvBin, project, run, tempDir, type Result } from "../support/cli.js";
import { FakeGithub } from "../support/github.js";
import { publishPostgres, realPostgresVersion } from "../support/github-tools.js";
import { needs } from "../support/programs.js";

/**
 * The real postgres as a service of `devenv up`, pinned like any tool and fetched through the TLS-intercepting
 * GitHub stand-in. postgres refuses root: everything runs as a user this file creates, and removes.
 */
const missing = needs("openssl", "psql") || (process.getuid?.() !== 0 ? "creating a user for postgres needs root" : false);
const user = `devenv-pg-${process.pid}`;
const home = `/home/${user}`;
let github: FakeGithub;

before(async () => {
  if (missing) return;
  github = await FakeGithub.start();
  await publishPostgres(github);
  execFileSync("useradd", ["-m", "-s", "/bin/sh", user]);
  copyFileSync(github.caFile, join(home, "ca.pem"));
  chmodSync(join(home, "ca.pem"), 0o644);
});
after(async () => {
  if (missing) return;
  // Whatever a failed test left running as the user goes with the user, and so does its socket directory.
  const uid = spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim();
  spawnSync("pkill", ["-KILL", "-u", user]);
  spawnSync("userdel", ["-r", "-f", user]);
  if (/^\d+$/.test(uid)) rmSync(`/tmp/devenv-${uid}`, { recursive: true, force: true });
  await github?.close();
});

/** A project of the user's, with its own DEVENV_HOME. */
function userProject(name: string, config: string): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "devenv.ts"), config);
  execFileSync("chown", ["-R", `${user}:${user}`, dir]);
  return dir;
}

/** devenv as the user, in `dir`, through the proxy to the GitHub stand-in. */
function asUser(dir: string, args: string[]): Promise<Result> {
  const env = ["HOME=" + home, "USER=" + user, "PATH=/usr/local/bin:/usr/bin:/bin", `DEVENV_HOME=${home}/devenv-home`, "DEVENV_TRUST=1", `HTTPS_PROXY=${github.proxyUrl}`, `NODE_EXTRA_CA_CERTS=${home}/ca.pem`, "LC_ALL=C"];
  // Not spawnSync: the GitHub stand-in answers from this process's event loop.
  return run("runuser", ["-u", user, "--", "env", "-i", ...env, devenvBin, ...args], { cwd: dir, env: process.env });
}

const config = (port: number, databases: string[]) => `export default {
  tools: { postgres: "${realPostgresVersion}" },
  services: { postgres: { port: ${port}, databases: ${JSON.stringify(databases)} } },
  processes: { app: { run: "psql -Atc 'select current_database()' > app.ran && exec sleep 300", after: ["postgres"] } },
};
`;

describe("services.postgres, as an unprivileged user", { skip: missing }, () => {
  it("up -d makes the cluster and the databases, psql reaches it through devenv run, its data outlives down, and a second project runs beside it", async () => {
    const first = userProject("first", config(55432, ["app", "app_test"]));
    const up = await asUser(first, ["up", "-d"]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /^postgres ready \(pid \d+\)$/m);
    const psql = (dir: string, sql: string) => asUser(dir, ["run", "psql", "-Atc", sql]);
    const who = await psql(first, "select current_database() || ' ' || current_user || ' ' || current_setting('port')");
    assert.equal(who.stdout, `app ${user} 55432\n`, who.stderr);
    assert.equal((await psql(first, "select count(*) from pg_database where datname in ('app', 'app_test')")).stdout, "2\n");
    assert.equal(readFileSync(join(first, "app.ran"), "utf8"), "app\n", "app, after postgres, found its database there");
    assert.equal((await psql(first, "create table notes (body text); insert into notes values ('kept')")).code, 0);
    const ps = JSON.parse((await asUser(first, ["ps", "--json"])).stdout) as { processes: Array<{ name: string; state: string; ports: number[] }> };
    assert.deepEqual(ps.processes.map((p) => [p.name, p.state, p.ports]), [["postgres", "ready", [55432]], ["app", "ready", []]]);
    const env = await asUser(first, ["env", "--shell", "json"]);
    const vars = JSON.parse(env.stdout) as Record<string, string>;
    assert.equal(vars.PGPORT, "55432");
    assert.equal(vars.DATABASE_URL, `postgresql://${user}@127.0.0.1:55432/app`);
    assert.ok(vars.PGHOST!.length < 60 && vars.PGHOST!.startsWith(`/tmp/devenv-`), `a short socket directory: ${vars.PGHOST}`);

    // A second project, its own cluster on its own port; the same port again is refused, naming it.
    const second = userProject("second", config(55433, ["other"]));
    assert.equal((await asUser(second, ["up", "-d"])).code, 0);
    assert.equal((await psql(second, "select current_database()")).stdout, "other\n");
    const clash = userProject("clash", config(55432, []));
    const refused = await asUser(clash, ["up", "-d"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`^error: port 55432 of postgres is taken: the project at ${first} runs it \\(devenv up -d\\)\\nhint: stop it \\(\`devenv -C ${first} down\`, `, "m"));

    assert.equal((await asUser(first, ["down"])).code, 0);
    assert.notEqual((await psql(first, "select 1")).code, 0, "stopped");
    assert.equal(((await asUser(first, ["up", "-d"]))).code, 0);
    assert.equal((await psql(first, "select body from notes")).stdout, "kept\n", "the data outlived down and up");
    assert.equal((await asUser(first, ["down"])).code, 0);
    assert.equal((await asUser(second, ["down"])).code, 0);
    assert.equal(spawnSync("pgrep", ["-r", "R,S,D,T", "-u", user, "postgres"]).status, 1, "no postgres of the user is left");
  });

  it("in the foreground with two processes: up waits for postgres, prefixes every line, and SIGINT stops all three, leaving nothing", async () => {
    const dir = userProject("fore", `export default {
  tools: { postgres: "${realPostgresVersion}" },
  services: { postgres: { port: 55435, databases: ["shop"] } },
  processes: {
    web: { run: "psql -Atc 'select current_database()'; exec sleep 300", after: ["postgres"] },
    worker: { run: "echo worker waiting for web; exec sleep 300", after: ["web"] },
  },
};
`);
    const env = ["HOME=" + home, "USER=" + user, "PATH=/usr/local/bin:/usr/bin:/bin", `DEVENV_HOME=${home}/devenv-home`, "DEVENV_TRUST=1", `HTTPS_PROXY=${github.proxyUrl}`, `NODE_EXTRA_CA_CERTS=${home}/ca.pem`, "LC_ALL=C"];
    const up = spawn("runuser", ["-u", user, "--", "env", "-i", ...env, devenvBin, "up"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    up.stdout.on("data", (d: Buffer) => (out += d.toString()));
    up.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    // web is ready once started (it has no `ready`): worker may print before web's query answers.
    while (!(/^worker +\| worker waiting for web$/m.test(out) && /^web +\| shop$/m.test(out)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(out, /^web +\| shop$/m, out);
    assert.match(out, /^postgres +\| .*database system is ready to accept connections/m);
    // SIGINT to devenv alone, as a terminal's Ctrl-C reaches it (its processes have process groups of their own).
    const devenvPid = spawnSync("pgrep", ["-u", user, "-f", "bundle/main.js up"], { encoding: "utf8" }).stdout.trim().split("\n")[0]!;
    assert.match(devenvPid, /^\d+$/, out);
    process.kill(Number(devenvPid), "SIGINT");
    const code = await new Promise<number | null>((resolve) => up.on("close", resolve));
    assert.equal(code, 0, out);
    // Zombies aside (a container's pid 1 may never reap what devenv's exit left it, esbuild's service among them).
    const left = spawnSync("ps", ["-o", "pid=,stat=,cmd=", "-u", user], { encoding: "utf8" }).stdout.split("\n").filter((line) => line.trim() !== "" && !/^\s*\d+\s+Z/.test(line));
    assert.deepEqual(left, [], "nothing of the user is left running");
  });

  it("as root, up says in one line that postgres refuses it, and what to do", async () => {
    const dir = project(config(55434, []));
    const result = await devenv(["up"], { cwd: dir, env: cleanEnv({ DEVENV_HOME: tempDir("devenv-home-"), DEVENV_TRUST: "1", HTTPS_PROXY: github.proxyUrl, NODE_EXTRA_CA_CERTS: github.caFile }) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: postgres refuses to run as root\nhint: run devenv up as an unprivileged user/m);
    assert.equal(existsSync("/tmp/devenv-0"), false, "nothing was made for a service that never ran");
  });
});
