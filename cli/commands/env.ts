import { environmentVariables } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import { bashExports } from "../../shells/bash.js";
import type { Context } from "../context.js";

const formats = {
  bash: bashExports,
  json: (vars: Record<string, string>) => `${JSON.stringify(vars, null, 2)}\n`,
};

export async function envCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const input = await prepareEnvironment(ctx);
  const vars = environmentVariables(input, ctx.env, false);
  process.stdout.write(formats[args.shell as keyof typeof formats](vars));
}
