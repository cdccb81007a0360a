import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ProcessSpec } from "../config/processes.js";
import { DevenvError } from "../errors.js";
import { startTimeOf, type ProcessState } from "./process-state.js";

/** What the supervisor says: each line a process prints, and its own news. */
export interface SupervisorOutput {
  line(name: string, text: string): void;
  info(message: string): void;
  /** Each change of a process's state: what a detached run records for `devenv ps` and `devenv down`. */
  state?(name: string, state: ProcessState): void;
  /** Where a process's output went, for the line that names its failure (` (its output is above, ...)`). */
  shown(name: string): string;
}

/** on-failure restarts, each after twice the last pause, from one second. */
const maxRestarts = 5;

interface Running {
  readonly spec: ProcessSpec;
  child: ChildProcess | undefined;
  /** Whether it printed anything: a failure says where its output is, or that there is none. */
  printed: boolean;
  /** Settles once the process is ready (rejects if it failed first). */
  readonly ready: Promise<void>;
  markReady(): void;
  failReady(error: Error): void;
  exited: Promise<void>;
  stopping: boolean;
  restarts: number;
}

/**
 * Runs a project's processes (docs/spec.md §10): each in its own process group (so what it starts
 * stops with it), started once everything it comes `after` is ready, its lines handed to `output`.
 * `run()` settles with 0 once every process has ended well or `stop()` has stopped them all, and
 * with 1 once one failed (it exited when it should not have, or never became ready), after the
 * others were stopped, in reverse order.
 */
export class Supervisor {
  readonly #running = new Map<string, Running>();
  readonly #started: Running[] = [];
  #failure: DevenvError | undefined;
  #failed: string | undefined;
  #stopping: Promise<void> | undefined;
  #finish!: (code: number) => void;
  readonly #finished = new Promise<number>((resolve) => (this.#finish = resolve));

  constructor(
    private readonly processes: readonly ProcessSpec[],
    private readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: SupervisorOutput,
  ) {}

  /** The failure that ended the run, if one did, and the process it was of. */
  get failure(): DevenvError | undefined {
    return this.#failure;
  }

  get failed(): string | undefined {
    return this.#failed;
  }

  run(): Promise<number> {
    for (const spec of this.processes) {
      let markReady!: () => void;
      let failReady!: (error: Error) => void;
      const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
      ready.catch(() => undefined);
      this.#running.set(spec.name, { spec, child: undefined, printed: false, ready, markReady, failReady, exited: Promise.resolve(), stopping: false, restarts: 0 });
    }
    for (const entry of this.#running.values()) {
      void Promise.all(entry.spec.after.map((name) => this.#running.get(name)!.ready)).then(
        () => this.#stopping === undefined && this.#start(entry),
        () => undefined,
      );
    }
    return this.#finished;
  }

  /** Stops every process, last started first: its stop signal to its group, SIGKILL after its grace. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const entry of [...this.#started].reverse()) await this.#stopOne(entry);
      this.#finish(this.#failure === undefined ? 0 : 1);
    })();
    return this.#stopping;
  }

  /** A second Ctrl-C: SIGKILL to every group at once. */
  kill(): void {
    for (const entry of this.#started) signalGroup(entry.child, "SIGKILL");
  }

  #ready(entry: Running): void {
    entry.markReady();
    const { child } = entry;
    if (child?.exitCode === null) this.output.state?.(entry.spec.name, { state: "ready", pid: child.pid, since: child.pid === undefined ? undefined : startTimeOf(child.pid), startedAt: undefined });
  }

  #start(entry: Running): void {
    const { spec } = entry;
    const child = spawn("sh", ["-c", spec.run], { cwd: join(this.root, spec.cwd), env: { ...this.env, ...spec.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    entry.child = child;
    if (!this.#started.includes(entry)) this.#started.push(entry);
    if (child.pid !== undefined) this.output.state?.(spec.name, { state: "starting", pid: child.pid, since: startTimeOf(child.pid), startedAt: new Date().toISOString(), ports: spec.ports ?? (spec.ready !== undefined && "tcp" in spec.ready ? [spec.ready.tcp] : []) });
    const pattern = spec.ready !== undefined && "log" in spec.ready ? new RegExp(spec.ready.log) : undefined;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (text) => {
        entry.printed = true;
        this.output.line(spec.name, text);
        if (pattern?.test(text)) this.#ready(entry);
      });
    }
    entry.exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.once("error", (error) => this.#fail(entry, `${spec.name} could not start: ${error.message}`));
    child.once("exit", (code, signal) => void this.#exited(entry, code, signal));
    void this.#awaitReady(entry);
  }

  async #awaitReady(entry: Running): Promise<void> {
    const { spec } = entry;
    const { ready } = spec;
    if (ready === undefined) return this.#ready(entry);
    const deadline = Date.now() + spec.readyTimeout * 1000;
    if ("log" in ready) {
      const timer = setTimeout(() => this.#fail(entry, `${spec.name} did not become ready in ${spec.readyTimeout} s (no line matched /${ready.log}/)`), spec.readyTimeout * 1000);
      await entry.ready.catch(() => undefined);
      clearTimeout(timer);
      return;
    }
    const check = "tcp" in ready ? () => tcpOpen(ready.tcp) : "http" in ready ? () => httpAnswers(ready.http) : () => exits0(ready.exec, join(this.root, spec.cwd), { ...this.env, ...spec.env });
    const shown = "exec" in ready && ready.exec.length > 60 ? `${ready.exec.slice(0, 57)}...` : "exec" in ready ? ready.exec : "";
    const what = "tcp" in ready ? `port ${ready.tcp} did not open` : "http" in ready ? `${ready.http} did not answer` : `\`${shown}\` did not succeed`;
    while (entry.child?.exitCode === null && this.#stopping === undefined) {
      if (await check()) {
        this.output.info(`${spec.name} is ready`);
        return this.#ready(entry);
      }
      if (Date.now() > deadline) return this.#fail(entry, `${spec.name} did not become ready in ${spec.readyTimeout} s (${what})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async #exited(entry: Running, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    await entry.exited;
    if (entry.stopping || this.#stopping !== undefined) return;
    const { spec } = entry;
    if (code === 0) {
      // Done, as a one-off task is: what came after it may go on.
      entry.markReady();
      this.output.state?.(spec.name, { state: "exited", code: 0 });
      this.output.info(`${spec.name} exited with code 0`);
      if (this.#started.length === this.#running.size && this.#started.every((e) => e.child?.exitCode === 0)) this.#finish(0);
      return;
    }
    const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
    if (spec.restart === "on-failure" && entry.restarts < maxRestarts) {
      const pause = 2 ** entry.restarts;
      entry.restarts++;
      this.output.info(`${spec.name} ${how}; restarting in ${pause} s (${entry.restarts} of ${maxRestarts})`);
      await new Promise((resolve) => setTimeout(resolve, pause * 1000));
      if (this.#stopping === undefined) this.#start(entry);
      return;
    }
    this.output.state?.(spec.name, { state: "failed", code: code ?? null });
    this.#fail(entry, `${spec.name} ${how}${spec.restart === "on-failure" ? ` after ${maxRestarts} restarts` : ""}`);
  }

  #fail(entry: Running, message: string): void {
    if (this.#failure !== undefined || this.#stopping !== undefined) return;
    // Its output went by above, each line under its name: the error is the one line that says what ended the run.
    const printed = !entry.printed ? "; it printed nothing" : ` (${this.output.shown(entry.spec.name)})`;
    this.#failed = entry.spec.name;
    this.#failure = new DevenvError("process-failed", `${message}${printed}`, { hint: `fix ${entry.spec.name} (\`run\` in devenv.ts's processes), then \`devenv up\` again` });
    entry.failReady(this.#failure);
    void this.stop();
  }

  async #stopOne(entry: Running): Promise<void> {
    entry.stopping = true;
    const { child } = entry;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, entry.spec.stop.signal);
    const killed = setTimeout(() => signalGroup(child, "SIGKILL"), entry.spec.stop.grace * 1000);
    await entry.exited;
    clearTimeout(killed);
    // What it started and left behind in its group goes with it.
    signalGroup(child, "SIGKILL");
    this.output.state?.(entry.spec.name, { state: "stopped", code: child.exitCode });
  }
}

/** A signal to the process group the child leads (`detached`), so what it started gets it too. */
function signalGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function httpAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.once("error", () => resolve(false));
    req.once("timeout", () => (req.destroy(), resolve(false)));
    req.end();
  });
}

function exits0(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], { cwd, env, stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}
