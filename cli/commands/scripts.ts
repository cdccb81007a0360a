import { openProject } from "../../project/open.js";
import type { Context } from "../context.js";

/** `devenv scripts [--json]`: devenv.ts's scripts, each with its description and command. */
export async function scriptsCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const { config } = await openProject(ctx);
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify(config.scripts.map(({ name, description, run }) => ({ name, description: description ?? null, run })), null, 2)}\n`);
    return;
  }
  if (config.scripts.length === 0) {
    ctx.log.info('devenv.ts has no scripts: scripts: { fmt: "biome format --write ." } makes `fmt` a command in the environment');
    return;
  }
  const width = Math.max(...config.scripts.map((s) => s.name.length));
  for (const script of config.scripts) process.stdout.write(`${script.name.padEnd(width)}  ${script.description ?? script.run}\n`);
}
