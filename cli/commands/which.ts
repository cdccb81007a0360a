import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { DevenvError } from "../../errors.js";
import { environmentVariables } from "../../project/environment.js";
import { prepareEnvironment } from "../../project/prepare.js";
import type { Context } from "../context.js";

export async function whichCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const bin = String(args.bin);
  const prepared = await prepareEnvironment(ctx, { forLauncher: false });
  const { PATH = "" } = environmentVariables(prepared, ctx.env, false);
  const found = bin.includes("/") ? undefined : PATH.split(delimiter).map((dir) => join(dir, bin)).find(isExecutableFile);
  if (found === undefined) {
    throw new DevenvError("command-not-found", `${bin} is not on the devenv environment's PATH`, { hint: "check the tools in devenv.ts, or `devenv list`" });
  }
  process.stdout.write(`${found}\n`);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
