import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { ProjectConfig } from "../config/validate.js";
import { resolvers } from "../resolvers/registry.js";
import type { InstalledTool } from "./install.js";

/** What a command run with `--pure` still needs from outside (SPEC §6, terminals and locales). */
const pureKeep = ["HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ", "TMPDIR", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "SSH_AUTH_SOCK"];
export const minimalPath = ["/usr/local/bin", "/usr/bin", "/bin"];

export interface EnvironmentInput {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly tools: readonly InstalledTool[];
  /** The store directory: toolchain directories from another devenv environment are dropped from the outer PATH. */
  readonly store: string;
}

/**
 * The variables devenv sets (SPEC §5), PATH included and complete: toolchain
 * bins in `tools` order, then the config's `path`, then the outer PATH.
 */
export function environmentVariables(input: EnvironmentInput, outer: NodeJS.ProcessEnv, pure: boolean): Record<string, string> {
  const vars: Record<string, string> = {};
  const path: string[] = [];
  for (const tool of input.tools) {
    const activation = resolvers[tool.name].activate(tool.entry);
    path.push(...activation.bin);
    Object.assign(vars, activation.env);
  }
  path.push(...input.config.path.map((dir) => (isAbsolute(dir) ? dir : resolve(input.root, dir))));
  const outerPath = pure ? minimalPath : (outer.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !dir.startsWith(join(input.store, "/")));
  return { PATH: [...new Set([...path, ...outerPath])].join(delimiter), DEVENV_ROOT: input.root, ...vars, ...input.config.env };
}

/** The whole environment a command runs in. */
export function commandEnvironment(input: EnvironmentInput, outer: NodeJS.ProcessEnv, pure: boolean): NodeJS.ProcessEnv {
  const base = pure ? Object.fromEntries(Object.entries(outer).filter(([name]) => pureKeep.includes(name) || name.startsWith("LC_"))) : outer;
  return { ...base, ...environmentVariables(input, outer, pure) };
}
