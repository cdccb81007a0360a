import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { ProcessSpec } from "../config/processes.js";
import type { ProjectConfig } from "../config/validate.js";
import { DevenvError } from "../errors.js";
import { resolverOf } from "../resolvers/registry.js";
import { services } from "../services/registry.js";
import type { ServicePlaces } from "../services/types.js";
import type { DevenvEnvironment } from "../shells/types.js";
import type { InstalledTool } from "./install.js";

/** What a command run with `--pure` still needs from outside: a terminal, a user, a locale. */
const pureKeep = ["HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ", "TMPDIR", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK"];
export const minimalPath = ["/usr/local/bin", "/usr/bin", "/bin"];

export interface EnvironmentInput {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly tools: readonly InstalledTool[];
  /** The store directory: toolchain directories from another devenv environment are dropped from the outer PATH. */
  readonly store: string;
  /** Each toolchain's writable prefix, in the project's private state (layout.ts, projectState). */
  readonly prefix: (tool: string) => string;
  /** Where devenv.ts's scripts are written (project/scripts.ts): on PATH after the tools, when there are any. */
  readonly scriptsDir: string;
  /** Where each service keeps its data and sockets: what its variables (PGHOST) name. */
  readonly servicePlaces: (name: string) => ServicePlaces;
}


export function devenvEnvironment(input: EnvironmentInput): DevenvEnvironment {
  // PATH has no escape for its separator: `/w/co:lon/.devenv/node/bin` would be the
  // entries `/w/co` and `lon/.devenv/node/bin`, the second relative to wherever a command runs.
  if (input.root.includes(delimiter)) {
    throw new DevenvError("usage", `the project's path ${input.root} holds "${delimiter}", which PATH cannot hold`, { hint: `move or rename the directory so that its path has no "${delimiter}"` });
  }
  const dirs: string[] = [];
  const prefixDirs: string[] = [];
  const vars: Record<string, string> = { DEVENV_ROOT: input.root };
  const { prefix } = input;
  for (const tool of input.tools) {
    const resolver = resolverOf(tool.name, input.config.tools.find((t) => t.name === tool.name)?.options);
    const activation = resolver.activate(tool.entry);
    const user = resolver.userPrefix?.(prefix(tool.name));
    // Holds nothing but links into the store (project/prefixes.ts): it shadows no locked binary.
    if (user?.beside !== undefined) dirs.push(user.beside.dir);
    dirs.push(...activation.bin);
    prefixDirs.push(...(user?.bin ?? []));
    Object.assign(vars, activation.env, user?.env);
  }
  // A service's variables, whether or not it runs: `psql` and the application find it once it does.
  for (const { name, options } of input.config.services) Object.assign(vars, services[name]!.env(options, input.servicePlaces(name)));
  // After every toolchain: an `npm install -g` of a package with a `go` bin never shadows the locked go.
  dirs.push(...prefixDirs);
  // The scripts come after every tool: a script never shadows a locked binary.
  if (input.config.scripts.length > 0) dirs.push(input.scriptsDir);
  // validate.ts refuses an entry holding ":".
  dirs.push(...input.config.path.map((dir) => (isAbsolute(dir) ? dir : resolve(input.root, dir))));
  return { dirs, vars: { ...vars, ...input.config.env } };
}

/**
 * The complete PATH: devenv's directories, then the outer PATH without
 * directories of any devenv store entry (so nesting and re-evaluating never pile up).
 */
export function composePath(env: DevenvEnvironment, outerPath: string | undefined, store: string, pure: boolean): string {
  const outer = pure ? minimalPath : (outerPath ?? "").split(delimiter).filter((dir) => dir !== "" && !dir.startsWith(join(store, "/")));
  return [...new Set([...env.dirs, ...outer])].join(delimiter);
}

/** A project's environment, computed once per command (project/prepare.ts) and handed on: what devenv adds, and the store it lives in. */
export interface PreparedEnvironment {
  readonly env: DevenvEnvironment;
  readonly store: string;
  /** The project it is of, and what `devenv up` runs there. */
  readonly root: string;
  readonly processes: readonly ProcessSpec[];
  readonly services: ProjectConfig["services"];
}

/** The variables devenv sets, PATH first and complete. */
export function environmentVariables(prepared: PreparedEnvironment, outer: NodeJS.ProcessEnv, pure: boolean): Record<string, string> {
  return { PATH: composePath(prepared.env, outer.PATH, prepared.store, pure), ...prepared.env.vars };
}

/** The whole environment a command runs in; `--pure` keeps only what a terminal needs from outside. */
export function commandEnvironment(prepared: PreparedEnvironment, outer: NodeJS.ProcessEnv, pure: boolean): NodeJS.ProcessEnv {
  const base = pure ? Object.fromEntries(Object.entries(outer).filter(([name]) => pureKeep.includes(name) || name.startsWith("LC_"))) : outer;
  return { ...base, ...environmentVariables(prepared, outer, pure) };
}
