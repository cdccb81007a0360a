import { createHash } from "node:crypto";
import { join } from "node:path";

/**
 * Every place devenv keeps anything, declared once: DEVENV_HOME (docs/spec.md §4), what it
 * keeps per project there, and the project's own `.devenv/`. Nothing else builds these paths;
 * scripts/build.mjs writes the names the launcher needs into it.
 */

/** Everything under DEVENV_HOME; nothing else builds these paths. */
export interface StoreLayout {
  readonly home: string;
  /** Finished entries, never modified once there. */
  readonly store: string;
  /** Downloads and extractions in progress: same filesystem as the store, so the final rename is atomic. */
  readonly tmp: string;
  /** Inter-process locks, one per entry being installed. */
  readonly locks: string;
  /** Garbage-collection roots: one file per project that installed, holding its path. */
  readonly roots: string;
  /** Trusted devenv.ts files: path and content hash. */
  readonly trust: string;
  /** The tree hash of each entry, recorded at install, for `devenv verify`. */
  readonly trees: string;
  /** Upstream metadata (indexes, checksum files) with its validators. */
  readonly httpCache: string;
  /** What older devenv versions kept and this one does not: `devenv gc` removes it (V8's compiled code, in cache/compile). */
  readonly obsolete: readonly string[];
  /**
   * What devenv keeps per project outside the project (see projectState):
   * user-only, so no repository can ship it and no other user can write it.
   */
  readonly projects: string;
  /** Where each entry's archive came from when it was installed: a team cache, a mirror, or upstream. */
  readonly origins: string;
  /** The sha256 upstream publishes for a canonical URL, as devenv read it itself: `<sha256 of the URL>` holds it. */
  readonly upstreamSums: string;
}

export function storeLayout(home: string): StoreLayout {
  return { home, store: join(home, "store"), tmp: join(home, "tmp"), locks: join(home, "locks"), roots: join(home, "roots"), trust: join(home, "trust"), trees: join(home, "trees"), httpCache: join(home, "cache", "http"), obsolete: [join(home, "cache", "compile")], projects: join(home, "projects"), origins: join(home, "origins"), upstreamSums: join(home, "upstream-sums") };
}

/**
 * The state of the project at the real path `root`: `projects/<root>/=/`,
 * the project's path mirrored under DEVENV_HOME so that the launcher finds
 * it with shell built-ins alone (no hashing process on the hot path).
 * scripts/build.mjs writes these names into cli/launcher.sh.
 */
export function projectState(layout: StoreLayout, root: string) {
  const dir = join(layout.projects, root, "=");
  return {
    dir,
    /** The evaluated devenv.ts with the hash of every file it read. */
    config: join(dir, "config.json"),
    /** The launcher's environment; it names a snapshot, whose two directories below lie beside it. */
    env: join(dir, "env.sh"),
    /** Links to the files the environment depends on: `0` to devenv.lock, `1`... to each file devenv.ts's evaluation read. */
    watched: (snapshot: string) => join(dir, `watched.${snapshot}`),
    /** What those files held when the environment was written, under the same names. */
    copies: (snapshot: string) => join(dir, `copies.${snapshot}`),
    /** Held while devenv.lock or its history is rewritten. */
    lock: join(dir, "lock"),
    /**
     * A toolchain's writable prefix (npm -g and its bins, GOBIN, python's bytecode, corepack's
     * shims): what it writes for the user, never the store. Here, not under the project's
     * `.devenv/`, so no repository can ship what goes on PATH or is read as code.
     */
    prefix: (tool: string) => join(dir, "prefix", tool),
    /** Where those prefixes are. */
    prefixes: join(dir, "prefix"),
    /**
     * `devenv up -d`'s: the detached supervisor's lock (its pid), each process's state and pid
     * (`state.json`, what `ps` and `down` read) and its output (`logs/NAME.log`).
     */
    /** devenv.ts's scripts, one executable each, on PATH after the tools: where no repository can ship one. */
    scripts: join(dir, "scripts"),
    /** A service's data and configuration (`services/postgres/data`). */
    service: (name: string) => join(dir, "services", name),
    services: join(dir, "services"),
    processes: {
      dir: join(dir, "processes"),
      supervisor: join(dir, "processes", "supervisor.lock"),
      state: join(dir, "processes", "state.json"),
      log: (name: string) => join(dir, "processes", "logs", `${name}.log`),
    },
  };
}

/**
 * Where a project's services put their Unix sockets: a short path (a socket's is limited to ~107 bytes, which a
 * deep project under DEVENV_HOME exceeds), private to the user: `/tmp/devenv-<uid>/<12 hex of the project's path>`.
 */
export function socketDir(root: string, uid: number): string {
  return join("/tmp", `devenv-${uid}`, createHash("sha256").update(root).digest("hex").slice(0, 12));
}

/** `<first 32 hex of the archive's sha256>-<tool>-<version>`. */
export function entryName(tool: string, version: string, sha256: string): string {
  // `github:OWNER/REPO` names a directory as github-OWNER-REPO.
  return `${sha256.slice(0, 32)}-${tool.replace(/[^\w.-]/g, "-")}-${version}`;
}

export function entryPath(layout: StoreLayout, tool: string, version: string, sha256: string): string {
  return join(layout.store, entryName(tool, version, sha256));
}

/** The project's own `.devenv/` (docs/spec.md §1): the lock history, and the temporary files of its atomic writes. */
export function stateLayout(root: string) {
  const dir = join(root, ".devenv");
  return {
    dir,
    history: join(dir, "history"),
    /** Temporary files of atomic writes to devenv.lock: a killed write leaves nothing in the project itself. */
    tmp: join(dir, "tmp"),
  };
}
