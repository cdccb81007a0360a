import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { DevenvError } from "../errors.js";
import { symlinkAtomic } from "../files/atomic.js";
import { ensureDirectory, ensurePrefixes, stateLayout } from "../lock/state.js";
import { resolvers } from "../resolvers/registry.js";
import type { InstalledTool } from "./install.js";

/** The directories ahead of the toolchains on PATH, and what devenv found in them: the launcher trusts them only while they hold exactly that. */
export interface GuardedDirs {
  readonly dirs: readonly string[];
  readonly entries: readonly string[];
}

/**
 * Creates each toolchain's writable prefix under `.devenv/` and settles its
 * `beside` directory (resolvers/types.ts, UserPrefix): the link to the entry's
 * binary, and what that binary wrote beside it (corepack's shims), moved onto
 * the current entry when the lock moved to another. That directory comes before
 * the locked toolchain on PATH, so anything in it that is not a link into the
 * store (a repository could ship `.devenv/node/corepack/node`) is refused.
 */
export function preparePrefixes(root: string, tools: readonly InstalledTool[], store: string): GuardedDirs {
  ensurePrefixes(root, tools.filter((t) => resolvers[t.name].userPrefix !== undefined).map((t) => t.name));
  const { prefix, tmp } = stateLayout(root);
  const dirs: string[] = [];
  const entries: string[] = [];
  for (const tool of tools) {
    const beside = resolvers[tool.name].userPrefix?.(prefix(tool.name)).beside;
    if (beside === undefined) continue;
    ensureDirectory(beside.dir);
    dirs.push(beside.dir);
    // Its tool is installed, so the store exists (with no tools, it may not).
    const realStore = realpathSync(store) + sep;
    // corepack's links are relative to the directory's real path: read them from there.
    const base = realpathSync(beside.dir);
    const own = join(beside.dir, basename(beside.link));
    const entry = realpathSync(tool.entry);
    const wanted = join(entry, beside.link);
    if (!existsSync(wanted)) rmSync(own, { force: true }); // a node that ships no corepack
    else if (readlinkOrUndefined(own) !== wanted) symlinkAtomic(own, wanted, tmp);
    for (const name of readdirSync(beside.dir)) {
      const path = join(beside.dir, name);
      if (path === own && existsSync(path)) {
        entries.push(path);
        continue;
      }
      const target = lstatSync(path).isSymbolicLink() ? resolve(base, readlinkSync(path)) : undefined;
      if (target === undefined || !target.startsWith(realStore)) {
        throw new DevenvError("filesystem", `${path} is not a link into the store, and would come before the locked ${tool.name} on PATH`, {
          hint: `remove it: devenv keeps only links into the store in ${beside.dir} (check why it is there if you did not put it there)`,
        });
      }
      // <store>/<entry>/<file>: the same file of the entry the lock names now, or nothing.
      const file = relative(realStore, target).split(sep).slice(1).join(sep);
      const current = join(entry, file);
      if (target === current) entries.push(path);
      else if (existsSync(current)) {
        symlinkAtomic(path, relative(base, current), tmp);
        entries.push(path);
      } else rmSync(path);
    }
  }
  return { dirs, entries };
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
