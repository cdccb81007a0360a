import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";
import type { ProcessSpec } from "../config/processes.js";
import { DevenvError } from "../errors.js";
import { acquireLock } from "../files/process-lock.js";
import { projectState, type StoreLayout } from "../layout.js";
import { isAlive, readState, signalGroup, startTimeOf, writeState, type ProcessState, type SupervisorState } from "./process-state.js";
import { Supervisor } from "./supervisor.js";

/** Where a project's detached run keeps its lock, state and logs (layout.ts). */
export const detachedPaths = (layout: StoreLayout, root: string) => projectState(layout, root).processes;

/** The supervisor of this project's detached run, if one is alive. */
export function runningSupervisor(layout: StoreLayout, root: string): SupervisorState | undefined {
  const state = readState(detachedPaths(layout, root).state);
  return state !== undefined && isAlive(state.supervisor, state.supervisorSince) ? state : undefined;
}

/**
 * The detached supervisor itself (`devenv up -d` starts it as `devenv up --supervise`, in a session of its own):
 * one per project, held by its lock; each process's output appended to its log, each change of state written
 * to `state.json`. SIGTERM (`devenv down`) stops everything, last started first. Returns the exit code.
 */
export async function superviseDetached(layout: StoreLayout, root: string, processes: readonly ProcessSpec[], env: NodeJS.ProcessEnv): Promise<number> {
  const paths = detachedPaths(layout, root);
  mkdirSync(dirname(paths.log("x")), { recursive: true, mode: 0o700 });
  const release = await acquireLock(paths.supervisor, { wait: false });
  if (release === undefined) throw new DevenvError("process-failed", "another devenv up is already running this project's processes", { hint: "`devenv ps` shows them; `devenv down` stops them" });
  const logs = new Map<string, WriteStream>(processes.map((p) => [p.name, createWriteStream(paths.log(p.name), { flags: "w", mode: 0o600 })]));
  const states: Record<string, ProcessState> = Object.fromEntries(processes.map((p) => [p.name, { state: "starting" } satisfies ProcessState]));
  let failure: string | undefined;
  let failed: string | undefined;
  const record = () => writeState(paths.state, { supervisor: process.pid, supervisorSince: startTimeOf(process.pid), processes: states, failure, failed });
  record();
  const supervisor = new Supervisor(processes, root, env, {
    line: (name, text) => logs.get(name)!.write(`${text}\n`),
    info: () => undefined,
    shown: (name) => `its output is in \`devenv logs ${name}\``,
    state: (name, state) => {
      const before = states[name]!;
      states[name] = { ...before, ...Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined)) } as ProcessState;
      record();
    },
  });
  const stop = () => void supervisor.stop();
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, stop);
  try {
    const code = await supervisor.run();
    failure = supervisor.failure?.message;
    failed = supervisor.failed;
    record();
    return code;
  } finally {
    await Promise.all([...logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
    await release();
  }
}

/**
 * Waits for a detached run to be up: every process ready, or done. Throws naming what failed, with the
 * last lines of its log, once the supervisor has stopped the rest.
 */
export async function awaitDetached(layout: StoreLayout, root: string, names: readonly string[], supervisorExited: Promise<number | null>): Promise<SupervisorState> {
  const paths = detachedPaths(layout, root);
  let exited: number | null | undefined;
  void supervisorExited.then((code) => (exited = code));
  for (;;) {
    const state = readState(paths.state);
    if (state?.failure !== undefined) {
      const { failed } = state;
      // Until it has stopped the rest. Polled: an unref'd child's exit keeps nothing waiting, and a
      // promise of it alone would let Node.js end this process, at exit code 0, before it is said.
      while (isAlive(state.supervisor, state.supervisorSince)) await new Promise((resolve) => setTimeout(resolve, 50));
      throw new DevenvError("process-failed", state.failure, { hint: `${failed === undefined ? "" : `its last lines: ${tail(paths.log(failed), 5).join(" | ") || "none"}; `}\`devenv logs${failed === undefined ? "" : ` ${failed}`}\` shows more` });
    }
    if (state !== undefined && names.every((name) => state.processes[name]?.state === "ready" || (state.processes[name]?.state === "exited" && state.processes[name]?.code === 0))) return state;
    if (exited !== undefined) throw new DevenvError("process-failed", `the supervisor exited (code ${exited}) before its processes were up`, { hint: "`devenv logs` shows what they printed" });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The last `n` lines of a log. */
export function tail(file: string, n: number): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter((line, i, all) => line !== "" || i < all.length - 1).slice(-n);
  } catch {
    return [];
  }
}

/**
 * `devenv down`: stops the detached supervisor, which stops its processes; where it was killed and left them,
 * stops each one's group itself (the same signal, then SIGKILL after 10 s). Returns the names stopped.
 */
export async function stopDetached(layout: StoreLayout, root: string): Promise<string[]> {
  const paths = detachedPaths(layout, root);
  const state = readState(paths.state);
  if (state === undefined) return [];
  const running = Object.entries(state.processes).filter(([, p]) => isAlive(p.pid, p.since));
  if (isAlive(state.supervisor, state.supervisorSince)) {
    process.kill(state.supervisor, "SIGTERM");
    while (isAlive(state.supervisor, state.supervisorSince)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = running.filter(([, p]) => isAlive(p.pid, p.since));
  for (const [, p] of left) signalGroup(p.pid, p.since, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (left.some(([, p]) => isAlive(p.pid, p.since)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [, p] of left) signalGroup(p.pid, p.since, "SIGKILL");
  rmSync(paths.state, { force: true });
  return running.map(([name]) => name);
}

/**
 * The project whose detached run holds `port` (a process recorded with it, still alive), found by walking
 * DEVENV_HOME's project states: `projects/<root>/=/processes/state.json`. Only for the error that names it.
 */
export function holderOfPort(layout: StoreLayout, port: number): string | undefined {
  const walk = (dir: string, depth: number): string | undefined => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    if (names.includes("=")) {
      const state = readState(join(dir, "=", "processes", "state.json"));
      const holds = Object.values(state?.processes ?? {}).some((p) => p.ports?.includes(port) && isAlive(p.pid, p.since));
      if (holds) return dir.slice(layout.projects.length) || "/";
    }
    if (depth === 0) return undefined;
    for (const name of names) {
      if (name === "=") continue;
      const found = walk(join(dir, name), depth - 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(layout.projects, 24);
}
