import type { Context } from "../cli/context.js";
import type { EnvironmentInput } from "./environment.js";
import { installLocked } from "./install.js";
import { openProject } from "./open.js";
import { syncLock } from "./sync.js";

/** devenv.ts → fresh lock → installed toolchains: what `run`, `env`, `which` and `shell` stand on. */
export async function prepareEnvironment(ctx: Context): Promise<EnvironmentInput> {
  const project = await openProject(ctx.cwd);
  const lock = await syncLock(project, ctx);
  const tools = await installLocked(lock, ctx, project.config.tools.map((t) => t.name));
  return { root: project.root, config: project.config, tools, store: ctx.layout.store };
}
