import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandEnvironment, environmentVariables } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import { shellOf, shells } from "../../shells/registry.js";
import type { Context } from "../context.js";
import { runInEnvironment } from "./run.js";

/** `$SHELL` interactively in the environment; its exit code is devenv's. */
export async function shellCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const pure = args.pure === true;
  const prepared = await prepareEnvironment(ctx);
  if (ctx.env.DEVENV_ROOT) ctx.log.warn(`already in a devenv environment (${ctx.env.DEVENV_ROOT}); starting a nested shell`);
  const name = shellOf(ctx.env.SHELL);
  const dir = mkdtempSync(join(tmpdir(), "devenv-shell-"));
  try {
    const vars = environmentVariables(prepared, ctx.env, pure);
    const start = shells[name].start({ dir, vars, prompt: ctx.env.DEVENV_PROMPT !== "0", outer: ctx.env });
    const env = { ...commandEnvironment(prepared, ctx.env, pure), ...start.env };
    return await runInEnvironment(name === "sh" ? "/bin/sh" : ctx.env.SHELL!, start.args, { cwd: ctx.cwd, env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
