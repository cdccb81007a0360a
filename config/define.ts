import type { ToolName } from "../resolvers/registry.js";

/** A version spec (SPEC §2), or an object with room for per-tool options later. */
export type ToolSpec = string | { version: string };

export interface DevenvConfig {
  /** Toolchains, in the order they go on PATH. */
  tools?: Partial<Record<ToolName, ToolSpec>>;
  /** Exported verbatim into shell, run and env. */
  env?: Record<string, string>;
  /** Project-relative directories, after the toolchains on PATH. */
  path?: string[];
}

export type DevenvConfigExport = DevenvConfig | (() => DevenvConfig | Promise<DevenvConfig>);

/** Identity: it exists so that `devenv.ts` gets types. */
export function defineConfig<T extends DevenvConfigExport>(config: T): T {
  return config;
}
