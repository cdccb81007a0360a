import type { Session as Context } from "./session.js";
import { writeEnvironmentCache } from "./cache.js";
import { keepCache } from "./keep.js";
import { devenvEnvironment, type PreparedEnvironment } from "./environment.js";
import { entryBinaries, installLocked } from "./install.js";
import { openProject } from "./open.js";
import { preparePrefixes } from "./prefixes.js";
import { writeScripts } from "./scripts.js";
import { servicePlaces } from "./service-places.js";
import { projectState } from "../layout.js";
import { logChanges, syncLock } from "./sync.js";

/**
 * devenv.ts → fresh lock → installed toolchains: what `run`, `env`, `which` and
 * `shell` stand on. For the commands the launcher answers next time (`run`, `env`),
 * the result is cached for it; a question it never answers (`which`) writes nothing.
 */
export async function prepareEnvironment(ctx: Context, options: { forLauncher: boolean } = { forLauncher: true }): Promise<PreparedEnvironment> {
  const project = await openProject(ctx);
  const { lock, text, changes } = await syncLock(project, ctx);
  logChanges(ctx, changes);
  const tools = await installLocked(project.root, lock, ctx, project.config.tools.map((t) => t.name));
  const guarded = preparePrefixes(ctx.layout, project.root, tools);
  const state = projectState(ctx.layout, project.root);
  writeScripts(state.scripts, project.config.scripts);
  const input = { root: project.root, config: project.config, tools, store: ctx.layout.store, prefix: state.prefix, scriptsDir: state.scripts, servicePlaces: (name: string) => servicePlaces(ctx.layout, project.root, name) };
  const env = devenvEnvironment(input);
  const prepared = { env, store: input.store, root: project.root, processes: project.config.processes, services: project.config.services };
  if (!options.forLauncher) return prepared;
  keepCache(ctx.log, "the launcher's environment", () =>
    writeEnvironmentCache(ctx.layout, { root: project.root, trust: project.trust, inputs: project.inputs, absent: project.absent, lockText: text, env, binaries: tools.flatMap((t) => entryBinaries(t.name, t.entry)), guarded }),
  );
  return prepared;
}
