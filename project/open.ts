import { join } from "node:path";
import type { Session as Context } from "./session.js";
import { configFileName, findProjectRoot } from "../config/find.js";
import { readEvaluatedConfig, writeEvaluatedConfig } from "../config/evaluated-cache.js";
import { bundleConfig, evaluateBundle, fingerprint, type ConfigBundle, type ConfigInput } from "../config/load.js";
import { isTrusted, trust } from "../config/trust.js";
import { validateConfig, type ProjectConfig } from "../config/validate.js";
import { DevenvError } from "../errors.js";
import { projectState } from "../layout.js";
import { keepCache } from "./keep.js";

export interface Project {
  readonly root: string;
  readonly configFile: string;
  /** Every file the evaluation of devenv.ts read, with the hash of what it read: the launcher compares them all before answering. */
  readonly inputs: readonly ConfigInput[];
  /** Paths that must stay absent for the imports to resolve as they did (config/resolutions.ts): the launcher checks them too. */
  readonly absent: readonly string[];
  readonly config: ProjectConfig;
  /** Whether devenv.ts is trusted by a `devenv trust` record, or only because CI or DEVENV_TRUST say so. */
  readonly trust: "record" | "env";
}

/**
 * Finds devenv.ts for `cwd`, makes sure it (with everything it imports) is
 * trusted, and evaluates and validates it, unless none of those files changed
 * since the last time.
 */
export async function openProject(ctx: Context): Promise<Project> {
  const { root, configFile } = locateConfig(ctx.cwd);
  const state = projectState(ctx.layout, root);
  const cached = readEvaluatedConfig(state.config, configFile);
  if (cached !== undefined) {
    const trusted = await ensureTrusted(ctx, configFile, fingerprint(cached.inputs));
    return { root, configFile, inputs: cached.inputs, absent: cached.absent, config: cached.config, trust: trusted };
  }
  const bundle = await bundleConfig(configFile);
  const trusted = await ensureTrusted(ctx, configFile, fingerprint(bundle.inputs));
  ctx.log.debug(`evaluating ${configFile} (${bundle.inputs.length} ${bundle.inputs.length === 1 ? "file" : "files"})`);
  const value = await evaluateBundle(bundle, configFile);
  const config = validateConfig(value, configFile);
  keepCache(ctx.log, "the evaluated devenv.ts", () => writeEvaluatedConfig(state.config, bundle, value));
  return { root, configFile, inputs: bundle.inputs, absent: bundle.absent, config, trust: trusted };
}

/** The project around `cwd`, by its real path: the launcher, which walks the physical path too, finds the same one. */
export function locateConfig(cwd: string): { root: string; configFile: string } {
  const root = findProjectRoot(cwd);
  return { root, configFile: join(root, configFileName) };
}

/**
 * The fingerprint trust is given to, without running anything: from the
 * evaluated-config cache when its inputs are unchanged, else from a bundle.
 */
export async function configFingerprint(ctx: Context, root: string, configFile: string): Promise<{ fingerprint: string; bundle?: ConfigBundle }> {
  const cached = readEvaluatedConfig(projectState(ctx.layout, root).config, configFile);
  if (cached !== undefined) return { fingerprint: fingerprint(cached.inputs) };
  const bundle = await bundleConfig(configFile);
  return { fingerprint: fingerprint(bundle.inputs), bundle };
}

/**
 * devenv.ts's config for a check that must neither ask nor run code nobody
 * trusted (rollback's comparison with the lock it restored): from the
 * evaluated-config cache, or evaluated, only if devenv.ts is trusted as it is
 * now; undefined if it is not. A devenv.ts that does not load throws as it
 * would anywhere.
 */
export async function configIfTrusted(ctx: Context, root: string, configFile: string): Promise<ProjectConfig | undefined> {
  const state = projectState(ctx.layout, root);
  const trustedNow = (inputs: readonly ConfigInput[]) => ctx.trustAll || isTrusted({ dir: ctx.layout.trust }, configFile, fingerprint(inputs));
  const cached = readEvaluatedConfig(state.config, configFile);
  if (cached !== undefined) return trustedNow(cached.inputs) ? cached.config : undefined;
  const bundle = await bundleConfig(configFile);
  if (!trustedNow(bundle.inputs)) return undefined;
  const value = await evaluateBundle(bundle, configFile);
  const config = validateConfig(value, configFile);
  keepCache(ctx.log, "the evaluated devenv.ts", () => writeEvaluatedConfig(state.config, bundle, value));
  return config;
}

export async function isConfigTrusted(ctx: Context, root: string, configFile: string): Promise<boolean> {
  return ctx.trustAll || isTrusted({ dir: ctx.layout.trust }, configFile, (await configFingerprint(ctx, root, configFile)).fingerprint);
}

/** The first time (or after any input changed), a person at a terminal is asked; elsewhere it is an error. */
async function ensureTrusted(ctx: Context, configFile: string, print: string): Promise<"record" | "env"> {
  if (isTrusted({ dir: ctx.layout.trust }, configFile, print)) return "record";
  if (ctx.trustAll) return "env";
  const untrusted = new DevenvError("untrusted", `${configFile} is not trusted: devenv runs it as code`, {
    hint: "read it (and what it imports), then run `devenv trust` (CI and DEVENV_TRUST=1 trust every devenv.ts)",
  });
  if ((await ctx.confirm(`Trust devenv.ts at ${configFile}, and the files it imports?`)) !== true) throw untrusted;
  trust({ dir: ctx.layout.trust }, configFile, print);
  return "record";
}
