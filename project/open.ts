import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Context } from "../cli/context.js";
import { configFileName, findProjectRoot } from "../config/find.js";
import { readEvaluatedConfig, writeEvaluatedConfig } from "../config/evaluated-cache.js";
import { loadConfigModule } from "../config/load.js";
import { isTrusted, trust } from "../config/trust.js";
import { validateConfig, type ProjectConfig } from "../config/validate.js";
import { DevenvError } from "../errors.js";
import { userKey } from "../files/user-key.js";
import { ensureStateDir, stateLayout } from "./state.js";

export interface Project {
  readonly root: string;
  readonly configFile: string;
  /** The text that was evaluated, read before evaluating it. */
  readonly configText: string;
  readonly config: ProjectConfig;
  /** Whether devenv.ts is trusted by a `devenv trust` record, or only because CI or DEVENV_TRUST say so. */
  readonly trust: "record" | "env";
}

/**
 * Finds devenv.ts for `cwd`, makes sure it is trusted, and evaluates and
 * validates it, unless neither it nor anything it imports changed since the last time.
 */
export async function openProject(ctx: Context): Promise<Project> {
  const { root, configFile, configText } = locateConfig(ctx.cwd);
  await ensureTrusted(ctx, configFile, configText);
  const trust = isTrusted({ dir: ctx.layout.trust }, configFile, configText) ? "record" : "env";
  const { dir } = stateLayout(root);
  const key = userKey(ctx.layout.home);
  let config = readEvaluatedConfig(dir, key, configFile);
  if (config === undefined) {
    const evaluated = await loadConfigModule(configFile, ctx.layout.tmp);
    config = validateConfig(evaluated.value, configFile);
    ensureStateDir(root);
    writeEvaluatedConfig(dir, key, evaluated.inputs, evaluated.value);
  }
  return { root, configFile, configText, config, trust };
}

export function locateConfig(cwd: string): { root: string; configFile: string; configText: string } {
  const root = findProjectRoot(cwd);
  const configFile = join(root, configFileName);
  return { root, configFile, configText: readFileSync(configFile, "utf8") };
}

export function isConfigTrusted(ctx: Context, configFile: string, configText: string): boolean {
  return ctx.trustAll || isTrusted({ dir: ctx.layout.trust }, configFile, configText);
}

/** The first time (or after the file changed), a person at a terminal is asked; elsewhere it is an error. */
async function ensureTrusted(ctx: Context, configFile: string, configText: string): Promise<void> {
  if (isConfigTrusted(ctx, configFile, configText)) return;
  const untrusted = new DevenvError("untrusted", `${configFile} is not trusted: devenv runs it as code`, {
    hint: "read it, then run `devenv trust` (CI and DEVENV_TRUST=1 trust every devenv.ts)",
  });
  if (!ctx.interactive) throw untrusted;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(`Trust devenv.ts at ${configFile}? [y/N] `).finally(() => prompt.close());
  if (!/^y(es)?$/i.test(answer.trim())) throw untrusted;
  trust({ dir: ctx.layout.trust }, configFile, configText);
}
