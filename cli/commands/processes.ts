import { existsSync, readFileSync, statSync } from "node:fs";
import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { detachedPaths, stopDetached, tail } from "../../project/detached.js";
import { isAlive, readState } from "../../project/process-state.js";
import type { Context } from "../context.js";

/** `devenv ps [--json]`: each process of the project's detached run, its state, pid, ports and uptime. */
export async function psCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const root = findProjectRoot(ctx.cwd);
  const state = readState(detachedPaths(ctx.layout, root).state);
  const supervised = state !== undefined && isAlive(state.supervisor, state.supervisorSince);
  const rows = Object.entries(state?.processes ?? {}).map(([name, p]) => {
    const alive = isAlive(p.pid, p.since);
    // A process the record calls running that is gone (its supervisor was killed) is said as it is.
    const now = (p.state === "starting" || p.state === "ready") && !alive ? "gone" : p.state;
    return { name, state: now, pid: alive ? (p.pid ?? null) : null, code: p.code ?? null, ports: p.ports ?? [], uptime: alive && p.startedAt !== undefined ? Math.round((Date.now() - Date.parse(p.startedAt)) / 1000) : null };
  });
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify({ supervisor: supervised ? state.supervisor : null, failure: state?.failure ?? null, processes: rows }, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    ctx.log.info("nothing is running: `devenv up -d` starts the processes in devenv.ts");
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const state = row.state === "exited" || row.state === "failed" || row.state === "stopped" ? `${row.state} (${row.code ?? "signal"})` : row.state;
    process.stdout.write(`${row.name.padEnd(width)}  ${state.padEnd(12)}  ${row.pid === null ? "-" : `pid ${row.pid}`}${row.ports.length > 0 ? `  port ${row.ports.join(", ")}` : ""}${row.uptime === null ? "" : `  up ${row.uptime} s`}\n`);
  }
  if (!supervised && rows.some((row) => row.pid !== null)) ctx.log.warn("the supervisor is gone and left processes running: `devenv down` stops them");
  if (state?.failure !== undefined) ctx.log.warn(state.failure);
  return 0;
}

/** `devenv logs [NAME] [-n N] [-f]`: what the detached run's processes printed; -f follows. */
export async function logsCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const root = findProjectRoot(ctx.cwd);
  const paths = detachedPaths(ctx.layout, root);
  const state = readState(paths.state);
  const known = Object.keys(state?.processes ?? {});
  const names = args.name === undefined ? known : [String(args.name)];
  for (const name of names) {
    // Only a process of the run: a name is never a path to read.
    if (!known.includes(name) || !existsSync(paths.log(name))) throw new DevenvError("usage", `no log of "${name}"`, { hint: known.length > 0 ? `one of: ${known.join(", ")}` : "`devenv up -d` starts the processes and keeps their logs" });
  }
  const lines = typeof args.lines === "number" ? args.lines : 50;
  const prefix = (name: string) => (names.length > 1 ? `${name} | ` : "");
  for (const name of names) for (const line of tail(paths.log(name), lines)) process.stdout.write(`${prefix(name)}${line}\n`);
  if (args.follow !== true) return 0;
  const read = new Map(names.map((name) => [name, statSync(paths.log(name)).size]));
  const stop = new Promise<void>((resolve) => process.once("SIGINT", resolve));
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    for (const name of names) {
      const size = statSync(paths.log(name)).size;
      if (size > read.get(name)!) {
        const text = readFileSync(paths.log(name)).subarray(read.get(name)!, size).toString("utf8");
        read.set(name, size);
        for (const line of text.split("\n").slice(0, -1)) process.stdout.write(`${prefix(name)}${line}\n`);
      }
    }
    await Promise.race([stop, new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  return 0;
}

/** `devenv down`: stops everything this project's detached run started, and waits until nothing is left. */
export async function downCommand(ctx: Context): Promise<number> {
  const root = findProjectRoot(ctx.cwd);
  const stopped = await stopDetached(ctx.layout, root);
  ctx.log.info(stopped.length === 0 ? "nothing was running" : `stopped ${stopped.join(", ")}`);
  return 0;
}
