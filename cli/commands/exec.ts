import { delimiter } from "node:path";
import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { commandEnvironment } from "../../project/environment.js";
import { installOneOff } from "../../project/install.js";
import { prepareEnvironment } from "../../project/prepare.js";
import { canonicalName, isToolName, resolverOf, unknownTool } from "../../resolvers/registry.js";
import type { Context } from "../context.js";
import { runInEnvironment } from "./run.js";

/**
 * `devenv exec TOOL@SPEC... -- CMD ARGS`: CMD with those tools first on PATH (installed into the store, locked
 * nowhere), on top of the project's environment inside one, on their own anywhere else. devenv.ts and devenv.lock
 * are not touched: `mise exec node@18 -- npm test`, `nix shell`.
 */
export async function execCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const [cmd, ...cmdArgs] = (args.command as string[] | undefined) ?? [];
  const words = [args.tools ?? []].flat().map(String);
  if (cmd === undefined || words.length === 0) throw new DevenvError("usage", "devenv exec needs tools and a command", { hint: "devenv exec node@18 python@3.12 -- npm test" });
  const requests = words.map((word) => {
    const at = word.indexOf("@", 1);
    const named = at === -1 ? word : word.slice(0, at);
    const name = canonicalName(named) ?? named;
    if (!isToolName(name)) throw unknownTool(named);
    const spec = at === -1 ? "latest" : word.slice(at + 1);
    if (!resolverOf(name).isValidSpec(spec)) throw new DevenvError("usage", `"${spec}" is not a ${name} version spec`, { hint: `see \`devenv versions ${name}\`` });
    return { name, spec };
  });
  let inProject = true;
  try {
    findProjectRoot(ctx.cwd);
  } catch {
    inProject = false;
  }
  const base = inProject ? commandEnvironment(await prepareEnvironment(ctx), ctx.env, false) : { ...ctx.env };
  const tools = await installOneOff(ctx, requests);
  const dirs: string[] = [];
  const vars: Record<string, string> = {};
  for (const tool of tools) {
    const activation = resolverOf(tool.name).activate(tool.entry);
    dirs.push(...activation.bin);
    Object.assign(vars, activation.env);
    ctx.log.debug(`${tool.name} ${tool.version} from ${tool.entry}`);
  }
  const env = { ...base, ...vars, PATH: [...dirs, ...(base.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !dirs.includes(dir))].join(delimiter) };
  return runInEnvironment(cmd, cmdArgs, { cwd: ctx.cwd, env });
}
