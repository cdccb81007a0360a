// What `import ... from "devenv"` gives a devenv.ts. This file's declarations ship on their own
// (package.json points at them), so they import nothing: they resolve under any moduleResolution.

/** A version spec (SPEC §2), or an object with room for per-tool options. */
export type ToolSpec = string | { version: string };

/** bun's x64 builds also come as "baseline", for CPUs without AVX2. */
export type BunSpec = string | { version: string; variant?: "baseline" };

/** The toolchains devenv knows: test/config-types.test.ts does not compile unless these are the registry's. */
export interface DevenvTools {
  node?: ToolSpec;
  python?: ToolSpec;
  go?: ToolSpec;
  bun?: BunSpec;
  deno?: ToolSpec;
}

export interface DevenvConfig {
  /** Toolchains, in the order they go on PATH. */
  tools?: DevenvTools;
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
