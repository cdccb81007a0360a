import type { ProcessSpec } from "./process.js";
import type { DevenvError } from "../errors.js";

/** Where a project's service keeps what it writes, none of it under the project (a repository cannot ship into it). */
export interface ServicePlaces {
  /** A private directory in the project's state under DEVENV_HOME (0700): data, configuration. */
  readonly state: string;
  /** A private directory with a short path, for Unix sockets (~107 bytes at most on Linux). */
  readonly sockets: string;
  /** The user devenv runs as: the service's superuser. */
  readonly user: string;
}

/**
 * One kind of service (docs/spec.md §10): data plus the few lines it needs. A second service is
 * one file beside postgres.ts and a line in services/registry.ts.
 */
export interface Service<Options = unknown> {
  readonly name: string;
  /** The tool it runs, which devenv.ts must pin (`tools: { postgres: "17" }`). */
  readonly tool: string;
  validate(raw: unknown, fail: (key: string, value: unknown, problem: string, hint: string) => DevenvError): Options;
  /** The ports it listens on, on 127.0.0.1. */
  ports(options: Options): number[];
  /** What `devenv up` runs for it: processes named after it, which a project's processes may come `after`. */
  processes(options: Options, places: ServicePlaces): ProcessSpec[];
  /** Exported by run, shell, env and the hooks, whether or not it is running. */
  env(options: Options, places: ServicePlaces): Record<string, string>;
}
