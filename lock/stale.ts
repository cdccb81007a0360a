import type { ProjectConfig } from "../config/validate.js";
import type { LockFile } from "./lockfile.js";

/** Why a lock no longer matches devenv.ts (SPEC §3), one line per tool. */
export interface LockDifference {
  readonly tool: string;
  readonly reason: string;
}

export function lockDifferences(config: ProjectConfig, lock: LockFile | undefined): LockDifference[] {
  const differences: LockDifference[] = [];
  const build = (variant: string | undefined) => (variant === undefined ? "the default build" : `the ${variant} build`);
  for (const { name, spec, variant } of config.tools) {
    const locked = lock?.tools[name];
    if (locked === undefined) differences.push({ tool: name, reason: `${name} "${spec}" is in devenv.ts but not in devenv.lock` });
    else if (locked.spec !== spec) differences.push({ tool: name, reason: `${name} is "${spec}" in devenv.ts but "${locked.spec}" in devenv.lock` });
    else if (locked.variant !== variant) differences.push({ tool: name, reason: `${name} is ${build(variant)} in devenv.ts but ${build(locked.variant)} in devenv.lock` });
  }
  for (const name of Object.keys(lock?.tools ?? {})) {
    if (!config.tools.some((t) => t.name === name)) differences.push({ tool: name, reason: `${name} is in devenv.lock but no longer in devenv.ts` });
  }
  return differences;
}
