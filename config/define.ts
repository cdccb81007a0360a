// What `import ... from "devenv"` gives a devenv.ts. This file's declarations ship on their own
// (package.json points at them), so they import nothing: they resolve under any moduleResolution.

/** A version spec (SPEC §2), or an object with room for per-tool options. */
export type ToolSpec = string | { version: string };

/** bun's x64 builds also come as "baseline", for CPUs without AVX2. */
export type BunSpec = string | { version: string; variant?: "baseline" };

/** The toolchains devenv knows: test/unit/config-types.test.ts does not compile unless these are the registry's. */
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

/**
 * Identity: it exists so that `devenv.ts` gets types, and so that tsc flags a key devenv does not
 * know (SPEC §2), as validation would when devenv loads the file.
 */
export function defineConfig<C extends DevenvConfigExport>(config: Checked<C>): C;
export function defineConfig(config: DevenvConfigExport): DevenvConfigExport {
  return config;
}

/**
 * An object is checked as any object literal is: tsc names an unknown key where it stands. A
 * function's returned literal gets no such check (microsoft/TypeScript#241), so `C` captures the
 * function and its return type is checked with every unknown key made `never`. A `C` that is no
 * config at all falls back to DevenvConfigExport itself, whose error says what is wrong.
 */
type Checked<C> = DevenvConfigExport extends C
  ? DevenvConfigExport
  : C extends () => infer R
    ? C & (() => R extends Promise<infer P> ? Promise<KnownKeys<P, DevenvConfig>> : KnownKeys<R, DevenvConfig>)
    : DevenvConfig;

/** `T` with each key `Shape` does not have, at any depth, typed `never`. */
type KnownKeys<T, Shape> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: K extends keyof Extract<Shape, object> ? KnownKeys<T[K], Extract<Shape, object>[K]> : never }
    : T;
