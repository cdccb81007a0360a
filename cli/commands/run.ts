import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { DevenvError } from "../../errors.js";
import { commandEnvironment } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import type { Context } from "../context.js";

export async function runCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const [cmd, ...cmdArgs] = args.command as string[];
  if (cmd === undefined) throw new DevenvError("usage", "devenv run needs a command", { hint: "devenv run -- node --version" });
  const prepared = await prepareEnvironment(ctx);
  return runInEnvironment(cmd, cmdArgs, { cwd: ctx.cwd, env: commandEnvironment(prepared, ctx.env, args.pure === true) });
}

/**
 * Runs the command with the terminal handed over. Its exit code becomes ours;
 * a signal death becomes 128+n, as in a shell. Signals sent to devenv are
 * passed on, except SIGINT and SIGQUIT when a terminal is attached: the
 * terminal sends those to the whole foreground group, CMD included, and a
 * second copy would turn one Ctrl-C into "Ctrl-C twice: force quit".
 */
export async function runInEnvironment(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  // Loaded by the commands that start one (with net and dgram), not by every command (docs/performance.md, seventh set).
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const fromTerminal = process.stdin.isTTY === true;
    // Listened for before CMD starts: a signal that arrives once CMD can answer it (it printed that it is ready)
    // must not find devenv with none, and die of it, leaving CMD behind. A handler runs from the event loop,
    // after this block has started CMD.
    const handlers = (["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
      const groupWide = fromTerminal && (signal === "SIGINT" || signal === "SIGQUIT");
      return [signal, () => groupWide || child.kill(signal)] as const;
    });
    const cleanup = () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
    for (const [signal, handler] of handlers) process.on(signal, handler);
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { ...options, stdio: "inherit" });
    } catch (error) {
      cleanup();
      throw error;
    }
    child.on("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === "ENOENT") {
        reject(new DevenvError("command-not-found", `${cmd}: command not found in the devenv environment`, { hint: `see \`devenv which ${cmd}\` and the tools in devenv.ts`, exitCode: 127 }));
      } else if (error.code === "EACCES") {
        reject(new DevenvError("command-not-found", `${cmd}: permission denied`, { hint: "is it executable?", exitCode: 126 }));
      } else {
        reject(error);
      }
    });
    child.on("exit", (code, signal) => {
      cleanup();
      resolve(signal === null ? (code ?? 0) : 128 + (constants.signals[signal] ?? 0));
    });
  });
}
