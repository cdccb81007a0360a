import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { DevenvError, isErrno } from "../errors.js";
import { symlinkAtomic } from "../files/atomic.js";
import { ensurePrivateDir } from "../files/private-dir.js";
import { ensureDirectory } from "../lock/state.js";
import { projectState, type StoreLayout } from "../layout.js";
import { resolverOf } from "../resolvers/registry.js";
import type { InstalledTool } from "./install.js";

/** The directories ahead of the toolchains on PATH, and what devenv found in them: the launcher trusts them only while they hold exactly that. */
export interface GuardedDirs {
  readonly dirs: readonly string[];
  readonly entries: readonly string[];
}

/**
 * Creates each toolchain's writable prefix in the project's private state under
 * DEVENV_HOME (no repository can ship into it) and settles its `beside` directory
 * (resolvers/types.ts, UserPrefix): the link to the entry's binary, and what that
 * binary wrote beside it (corepack's shims), moved onto the current entry when the
 * lock moved to another. That directory comes before the locked toolchain on PATH,
 * so it may hold only links into the store under the names of what they point at
 * (`pnpm -> …/dist/pnpm.js`): `git -> <entry>/bin/node` would run node as git.
 */
export function preparePrefixes(layout: StoreLayout, root: string, tools: readonly InstalledTool[]): GuardedDirs {
  const state = projectState(layout, root);
  const store = layout.store;
  const tmp = state.dir;
  const prefix = state.prefix;
  try {
    ensurePrivateDir(state.dir);
    for (const tool of tools) {
      if (resolverOf(tool.name).userPrefix === undefined) continue;
      ensureDirectory(state.prefixes);
      ensureDirectory(prefix(tool.name));
    }
  } catch (error) {
    // A read-only DEVENV_HOME (a CI image, a shared mount) still serves run and env: the prefixes
    // it does not have are directories on PATH that hold nothing, and nothing there is to guard.
    if (!isErrno(error, "EROFS", "EACCES", "EPERM", "ENOENT")) throw error;
    return { dirs: [], entries: [] };
  }
  const dirs: string[] = [];
  const entries: string[] = [];
  for (const tool of tools) {
    const beside = resolverOf(tool.name).userPrefix?.(prefix(tool.name)).beside;
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
      if (target === undefined || !target.startsWith(realStore) || !namedFor(name, target)) {
        const what = target === undefined || !target.startsWith(realStore) ? "is not a link into the store" : `is a link named for something else (-> ${target})`;
        throw new DevenvError("filesystem", `${path} ${what}, and would come before the locked ${tool.name} on PATH`, {
          hint: `remove it: devenv keeps only links into the store, under their own names, in ${beside.dir} (check why it is there if you did not put it there)`,
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

/** A link carries the name of what it runs: `corepack -> bin/corepack`, `pnpm -> dist/pnpm.js`. */
function namedFor(name: string, target: string): boolean {
  const file = basename(target);
  return file === name || file.replace(/\.[cm]?js$/, "") === name;
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
