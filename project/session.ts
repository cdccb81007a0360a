import type { Http } from "../download/http.js";
import type { Progress } from "../download/progress.js";
import type { CacheCredentials, TeamCache } from "../download/team-cache.js";
import type { DevenvError } from "../errors.js";
import type { Platform } from "../resolvers/types.js";
import type { StoreLayout } from "../layout.js";

/** Where commands say what they do: stderr (cli/log.ts). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  error(error: DevenvError): void;
}

/**
 * Everything a command needs from the outside world, read once by the CLI
 * (cli/context.ts) from flags and the environment, and passed down: nothing
 * below reads process.env.
 */
export interface Session {
  /** Where the project is looked for, and where `run` runs. */
  readonly cwd: string;
  readonly layout: StoreLayout;
  readonly platform: Platform;
  readonly offline: boolean;
  /** The lock must already match devenv.ts: --frozen, or CI (SPEC §3). */
  readonly frozen: boolean;
  /** The cd hook or direnv is loading the environment (DEVENV_LOADING=1): devenv.lock is never written. */
  readonly loading: boolean;
  /** Every devenv.ts counts as trusted: CI (which runs the repository's code anyway) or DEVENV_TRUST=1. */
  readonly trustAll: boolean;
  /**
   * Asks the person at the terminal a yes/no question; undefined when nobody is
   * there to answer (no terminal), so the caller decides what silence means.
   */
  confirm(question: string): Promise<boolean | undefined>;
  /** The value of a resolver's mirror variable (docs/spec.md §7), read when a tool first needs it. */
  mirror(resolver: { readonly mirrorVariable?: string | undefined }): string | undefined;
  readonly githubToken: string | undefined;
  /** DEVENV_CACHE: team caches to try before the mirror or upstream, in order; and the credentials for registries. */
  readonly caches: readonly TeamCache[];
  /** A registry host's credentials: DEVENV_CACHE_TOKEN, DEVENV_CACHE_USER/PASSWORD, else ~/.docker/config.json. */
  cacheCredentials(host: string): CacheCredentials;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Log;
  readonly progress: Progress;
  readonly http: Http;
  readonly version: string;
}

