// What a supervised process is: the words devenv.ts's `processes` (config/processes.ts) and the services
// (services/registry.ts) both speak, and `devenv up` (project/supervisor.ts) runs.

/** When a process counts as ready, so that what comes `after` it may start. */
export type Readiness = { readonly tcp: number } | { readonly http: string } | { readonly exec: string } | { readonly log: string } | undefined;

/** One process of `devenv up`, as devenv.ts declares it (docs/spec.md §10), validated. */
export interface ProcessSpec {
  readonly name: string;
  readonly run: string;
  readonly after: readonly string[];
  readonly ready: Readiness;
  /** Seconds to wait for `ready` before `up` fails naming the process. */
  readonly readyTimeout: number;
  readonly restart: "no" | "on-failure";
  readonly env: Readonly<Record<string, string>>;
  /** Project-relative. */
  readonly cwd: string;
  readonly stop: { readonly signal: NodeJS.Signals; readonly grace: number };
  /** The ports it listens on, where known (a service's, a `tcp` readiness's): what `ps` shows and a clash names. */
  readonly ports?: readonly number[];
}
