import { spawn } from "node:child_process";
import { constants } from "node:os";
import { DevenvError } from "../../errors.js";
import { commandEnvironment } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import type { Context } from "../context.js";

export async function runCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const [cmd, ...cmdArgs] = args.command as string[];
  if (cmd === undefined) throw new DevenvError("usage", "devenv run needs a command", { hint: "devenv run -- node --version" });
  const input = await prepareEnvironment(ctx);
  return runInEnvironment(cmd, cmdArgs, { cwd: ctx.cwd, env: commandEnvironment(input, ctx.env, args.pure === true) });
}

/**
 * Runs the command with the terminal handed over. Its exit code becomes ours;
 * a signal death becomes 128+n, as in a shell. SIGINT and SIGQUIT from the
 * terminal reach the whole foreground group already, so devenv only waits;
 * SIGTERM and SIGHUP sent to devenv alone are passed on.
 */
export function runInEnvironment(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const ignore = () => {};
    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ["SIGINT", ignore],
      ["SIGQUIT", ignore],
      ["SIGTERM", () => forward("SIGTERM")],
      ["SIGHUP", () => forward("SIGHUP")],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
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
