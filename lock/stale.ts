import type { ProjectConfig, ToolRequest } from "../config/validate.js";
import { resolverOf } from "../resolvers/registry.js";
import type { LockedTool, LockFile } from "./lockfile.js";

/** Why a lock no longer matches devenv.ts (SPEC §3), one line per tool. */
export interface LockDifference {
  readonly tool: string;
  readonly reason: string;
  /** What devenv.ts asks for; undefined when the tool is no longer in it. */
  readonly wanted: ToolRequest | undefined;
  /** What the lock holds; undefined when the tool is not in it. */
  readonly locked: LockedTool | undefined;
}

export function lockDifferences(config: ProjectConfig, lock: LockFile | undefined): LockDifference[] {
  const differences: LockDifference[] = [];
  const build = (variant: string | undefined) => (variant === undefined ? "the default build" : `the ${variant} build`);
  for (const wanted of config.tools) {
    const { name, spec, variant } = wanted;
    const locked = lock?.tools[name];
    if (locked === undefined) differences.push({ tool: name, reason: `${name} "${spec}" is in devenv.ts but not in devenv.lock`, wanted, locked });
    else if (locked.spec !== spec) differences.push({ tool: name, reason: `${name} is "${spec}" in devenv.ts but "${locked.spec}" in devenv.lock`, wanted, locked });
    else if (locked.variant !== variant) differences.push({ tool: name, reason: `${name} is ${build(variant)} in devenv.ts but ${build(locked.variant)} in devenv.lock`, wanted, locked });
    // The spec matches, but a lock edited by hand (or by a hostile change) may pin a version the spec never picks.
    else if (!resolverOf(name).admits(spec, locked.version)) differences.push({ tool: name, reason: `${name} ${locked.version} in devenv.lock is not a "${spec}" release, as devenv.ts asks`, wanted, locked });
  }
  for (const [name, locked] of Object.entries(lock?.tools ?? {})) {
    if (!config.tools.some((t) => t.name === name)) differences.push({ tool: name, reason: `${name} is in devenv.lock but no longer in devenv.ts`, wanted: undefined, locked });
  }
  return differences;
}
