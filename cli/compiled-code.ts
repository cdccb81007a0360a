import { readdirSync, rmSync } from "node:fs";
import nodeModule from "node:module";
import { join } from "node:path";
import { ensurePrivateDir } from "../files/private-dir.js";

/**
 * Past this many entries, one Node.js version's compiled code is thrown away
 * and made again: each devenv.ts evaluated leaves one entry (its bundle is a
 * data: URL, and Node.js keys its cache by URL), and Node.js removes none.
 */
const maxEntries = 256;

/**
 * Has Node.js keep V8's compiled code of the modules this thread loads from
 * now on (esbuild's API, undici, the unpacker's main-thread part, devenv.ts's
 * bundle) in `dir`, and reuse it: a command that starts Node.js then skips
 * compiling them (worker threads compile theirs as before). Node.js 22.8 and
 * newer only; `npm run bench` runs on Node.js 20, so docs/performance.md has
 * the measurement (Node.js 24: `install --frozen` with no project state
 * 182 -> 176 ms). A cache of compiled code is code: it lives in DEVENV_HOME,
 * which only this user can write, never in the shared temporary directory
 * Node.js would pick. It is an optimization, so a directory that cannot be
 * made private (a read-only DEVENV_HOME) goes without.
 */
export function keepCompiledCode(dir: string): void {
  const enable = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (enable === undefined) return;
  try {
    ensurePrivateDir(dir);
    // One directory per Node.js version and V8 flags; anything else there (a stray file, a link) is not Node.js's.
    for (const version of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, version.name);
      if (version.isDirectory() && readdirSync(path).length > maxEntries) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    return;
  }
  enable(dir);
}
