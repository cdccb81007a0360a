import { appendFileSync } from "node:fs";
import { DevenvError } from "../../errors.js";
import { environmentVariables } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import { githubFiles } from "../../shells/github.js";
import { shellOf, shells } from "../../shells/registry.js";
import type { Context } from "../context.js";

export const envFormats = ["bash", "zsh", "fish", "json", "github"] as const;

/** Without --shell: the user's $SHELL if it is bash, zsh or fish, else bash (the launcher decides the same way). */
export function defaultEnvFormat(shell: string | undefined): (typeof envFormats)[number] {
  const name = shellOf(shell);
  return name === "sh" ? "bash" : name;
}

export async function envCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const format = (args.shell as (typeof envFormats)[number] | undefined) ?? defaultEnvFormat(ctx.env.SHELL);
  if (format === "github" && (!ctx.env.GITHUB_PATH || !ctx.env.GITHUB_ENV)) {
    throw new DevenvError("usage", "--shell github needs GITHUB_PATH and GITHUB_ENV, which GitHub Actions sets for each step", {
      hint: "run it in a GitHub Actions step; elsewhere use --shell bash or --shell json",
    });
  }
  const prepared = await prepareEnvironment(ctx);
  if (format === "github") {
    const files = githubFiles(prepared.env);
    appendFileSync(ctx.env.GITHUB_PATH!, files.path);
    appendFileSync(ctx.env.GITHUB_ENV!, files.env);
    return;
  }
  const vars = environmentVariables(prepared, ctx.env, false);
  process.stdout.write(format === "json" ? `${JSON.stringify(vars, null, 2)}\n` : shells[format].exports(vars));
}
