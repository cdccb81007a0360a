import kleur from "kleur";
import { DevenvError } from "../../errors.js";
import { commandEnvironment } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import { rmSync } from "node:fs";
import type { ProcessSpec } from "../../config/processes.js";
import { awaitDetached, detachedPaths, holderOfPort, runningSupervisor, superviseDetached } from "../../project/detached.js";
import { servicePlaces } from "../../project/service-places.js";
import { Supervisor } from "../../project/supervisor.js";
import { services } from "../../services/registry.js";
import type { Context } from "../context.js";

const colours = [kleur.cyan, kleur.magenta, kleur.yellow, kleur.green, kleur.blue, kleur.red];

/**
 * `devenv up [NAME...]`: the project's processes (or the named ones and what they come after), in the
 * foreground, each line prefixed with its name. Ctrl-C or SIGTERM stops them all, last started first,
 * and exits 0; a second Ctrl-C kills them. One that fails stops the others, and `up` exits 1 naming it.
 */
export async function upCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const prepared = await prepareEnvironment(ctx);
  const named = [args.names ?? []].flat().map(String);
  // The services first, each as the processes its definition says (services/registry.ts), then the project's own.
  if (prepared.services.length > 0 && process.getuid?.() === 0) {
    throw new DevenvError("usage", `${prepared.services.map((s) => s.name).join(", ")} refuses to run as root`, { hint: "run devenv up as an unprivileged user (su - USER, or a container's USER)" });
  }
  const all = [...prepared.services.flatMap(({ name, options }) => services[name]!.processes(options, servicePlaces(ctx.layout, prepared.root, name, true))), ...prepared.processes];
  if (all.length === 0) throw new DevenvError("usage", "devenv.ts declares no processes or services", { hint: 'add some: processes: { web: "npm run dev" }, or services: { postgres: {} }' });
  for (const name of named) {
    if (!all.some((p) => p.name === name)) throw new DevenvError("usage", `no process "${name}" in devenv.ts`, { hint: `one of: ${all.map((p) => p.name).join(", ")}` });
  }
  // The named ones and, transitively, what they come after.
  const wanted = new Set<string>();
  const want = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const before of all.find((p) => p.name === name)!.after) want(before);
  };
  for (const name of named.length === 0 ? all.map((p) => p.name) : named) want(name);
  const processes = all.filter((p) => wanted.has(p.name));
  if (args.supervise !== true) await assertPortsFree(ctx, prepared.services.filter((s) => wanted.has(s.name)));
  const env = commandEnvironment(prepared, ctx.env, false);
  if (args.supervise === true) return superviseDetached(ctx.layout, prepared.root, processes, env);
  if (args.detach === true) return detach(ctx, prepared.root, processes, [args.names ?? []].flat().map(String));

  const width = Math.max(...processes.map((p) => p.name.length));
  const colourOf = new Map(processes.map((p, i) => [p.name, process.stdout.isTTY === true && kleur.enabled ? colours[i % colours.length]! : (text: string) => text]));
  if (runningSupervisor(ctx.layout, prepared.root) !== undefined) throw alreadyRunning();
  const supervisor = new Supervisor(processes, prepared.root, env, {
    line: (name, text) => process.stdout.write(`${colourOf.get(name)!(`${name.padEnd(width)} |`)} ${text}\n`),
    info: (message) => ctx.log.info(message),
    shown: (name) => `its output is above, under "${name}"`,
  });
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      ctx.log.info(`${signal}: stopping ${processes.map((p) => p.name).reverse().join(", ")} (again to kill)`);
      void supervisor.stop();
    } else supervisor.kill();
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  try {
    const code = await supervisor.run();
    if (supervisor.failure !== undefined) throw supervisor.failure;
    return code;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}

const alreadyRunning = () => new DevenvError("process-failed", "this project's processes are already running (devenv up -d)", { hint: "`devenv ps` shows them; `devenv down` stops them" });

/**
 * `devenv up -d`: the same run, supervised by a devenv of its own in a session of its own, which outlives
 * the terminal; returns once every process is ready, or fails naming what was not, having stopped the rest.
 */
async function detach(ctx: Context, root: string, processes: readonly ProcessSpec[], names: readonly string[]): Promise<number> {
  if (runningSupervisor(ctx.layout, root) !== undefined) throw alreadyRunning();
  rmSync(detachedPaths(ctx.layout, root).state, { force: true });
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [process.argv[1]!, "up", "--supervise", ...names], { cwd: ctx.cwd, env: ctx.env, detached: true, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.unref();
  const state = await awaitDetached(ctx.layout, root, processes.map((p) => p.name), exited);
  for (const process of processes) {
    const { state: now, pid } = state.processes[process.name]!;
    ctx.log.info(`${process.name} ${now}${pid === undefined ? "" : ` (pid ${pid})`}`);
  }
  ctx.log.info("`devenv ps` shows them, `devenv logs` what they print, `devenv down` stops them");
  return 0;
}

/** A port a service would listen on that something else holds is one line naming it, before anything starts. */
async function assertPortsFree(ctx: Context, enabled: ReadonlyArray<{ readonly name: string; readonly options: unknown }>): Promise<void> {
  const { createServer } = await import("node:net");
  for (const { name, options } of enabled) {
    for (const port of services[name]!.ports(options)) {
      const taken = await new Promise<boolean>((resolve) => {
        const server = createServer();
        server.once("error", () => resolve(true));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
      });
      if (!taken) continue;
      const holder = holderOfPort(ctx.layout, port);
      throw new DevenvError("process-failed", `port ${port} of ${name} is taken: ${holder === undefined ? `another program listens on 127.0.0.1:${port}` : `the project at ${holder} runs it (devenv up -d)`}`, {
        hint: `stop it (${holder === undefined ? "" : `\`devenv -C ${holder} down\`, `}or whatever holds it), or give this one another port: services: { ${name}: { port: ${port + 1} } }`,
      });
    }
  }
}
