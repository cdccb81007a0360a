import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { userKey } from "../files/user-key.js";
import { fishExports } from "../shells/fish.js";
import { posixExports, quotePosix } from "../shells/posix.js";
import type { StoreLayout } from "../store/layout.js";
import type { DevenvEnvironment } from "./environment.js";
import { ensureStateDir } from "./state.js";

/** Written by the build beside dist/: the launcher carries the same id, so an upgrade invalidates every cache. */
const buildIdFile = new URL("../build-id", import.meta.url);

export interface CacheInput {
  readonly root: string;
  /** How devenv.ts came to be trusted: a `devenv trust` record (revoking it deletes this cache), or CI / DEVENV_TRUST. */
  readonly trust: "record" | "env";
  /** devenv.ts and devenv.lock exactly as read: the launcher compares them line by line. */
  readonly configText: string;
  readonly lockText: string;
  readonly env: DevenvEnvironment;
  readonly entries: readonly string[];
}

/**
 * Writes .devenv/cache/env.sh, the environment the launcher (bin/devenv)
 * applies without starting Node.js. One file, replaced atomically, so a reader
 * never mixes two versions. Its first line carries a per-user key from
 * DEVENV_HOME: a cache committed to a repository is never sourced.
 */
export function writeEnvironmentCache(layout: StoreLayout, input: CacheInput): void {
  let buildId: string;
  try {
    buildId = readFileSync(buildIdFile, "utf8").trim();
  } catch {
    return; // a development build without the launcher: nothing would read the cache
  }
  const vars = (name: string, value: string) => `${name}=${quotePosix(value)}\n`;
  const text = [
    `# devenv-cache ${userKey(layout.home)}\n`,
    vars("cache_build", buildId),
    vars("cache_root", input.root),
    vars("cache_trust", input.trust),
    vars("cache_store", join(layout.store, "/")),
    vars("cache_entries", input.entries.join("\n")),
    vars("cache_dirs", [...new Set(input.env.dirs)].join(":")),
    vars("cache_config", input.configText),
    vars("cache_lock", input.lockText),
    vars("cache_posix", posixExports(input.env.vars).trimEnd()),
    vars("cache_fish", fishExports(input.env.vars).trimEnd()),
  ].join("");
  const dir = join(ensureStateDir(input.root).dir, "cache");
  const file = join(dir, "env.sh");
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, text);
}
