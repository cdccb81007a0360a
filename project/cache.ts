import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigInput } from "../config/load.js";
import { writeFileAtomic } from "../files/atomic.js";
import { ensurePrivateDir } from "../files/private-dir.js";
import { lockPath } from "../lock/lockfile.js";
import { fishExports } from "../shells/fish.js";
import { posixExports, quotePosix } from "../shells/posix.js";
import { projectState, type StoreLayout } from "../store/layout.js";
import type { DevenvEnvironment } from "../shells/types.js";
import type { GuardedDirs } from "./prefixes.js";
import { readWatched, writeStamps } from "./watched.js";

/** Written by the build beside dist/: the launcher carries the same id, so an upgrade invalidates every cache. */
const buildIdFile = new URL("../build-id", import.meta.url);

/**
 * More than this of devenv.ts and its imports (a config that bundles packages):
 * no launcher cache, since comparing them all on every call would cost more than it saves.
 */
const maxInputBytes = 1 << 20;

export interface CacheInput {
  readonly root: string;
  /** How devenv.ts came to be trusted: a `devenv trust` record (revoking it deletes this cache), or CI / DEVENV_TRUST. */
  readonly trust: "record" | "env";
  /** Every file the evaluation read, with the hash of what it read. */
  readonly inputs: readonly ConfigInput[];
  /** Paths that must stay absent for devenv.ts's imports to resolve as they did. */
  readonly absent: readonly string[];
  /** devenv.lock exactly as read. */
  readonly lockText: string;
  readonly env: DevenvEnvironment;
  /** Every tool's binaries: the launcher checks each is still there. */
  readonly binaries: readonly string[];
  /** What the directories ahead of the toolchains held when checked: the launcher checks they hold just that. */
  readonly guarded: GuardedDirs;
  /** `devenv list` and `devenv list --json`, which the launcher prints while the cache holds. */
  readonly list: { readonly text: string; readonly json: string };
}

/** Stands for PATH in the cached JSON: no variable's name or value can hold it (NUL is no part of an environment). */
const pathMark = "\u0000PATH\u0000";

/**
 * `devenv env --shell json` as the CLI prints it, around PATH's value, which the
 * launcher composes from the outer PATH: the text before it and after it. Both
 * empty when a variable of devenv.ts's is named PATH (the launcher then sends the call to the CLI).
 */
function jsonAround(vars: Readonly<Record<string, string>>): Array<[string, string]> {
  const text = JSON.stringify({ PATH: pathMark, ...vars }, null, 2);
  const mark = JSON.stringify(pathMark);
  const at = text.indexOf(mark);
  return [
    ["_dv_cache_json_head", at === -1 ? "" : text.slice(0, at)],
    ["_dv_cache_json_tail", at === -1 ? "" : text.slice(at + mark.length)],
  ];
}

/**
 * Writes the environment the launcher (bin/devenv) applies without starting
 * Node.js, into the project's state in DEVENV_HOME (store/layout.ts): user-only,
 * so no repository can ship one and no other user can write one. Beside it, a
 * directory of links to devenv.lock and every input, one of copies of them, and
 * one of stamps bracketing each settled file's mtime: the launcher takes a file
 * whose mtime still lies between its stamps as unchanged and compares any other
 * with one `diff -rq` of the links and the copies (one process, where `cmp` takes
 * one per file). A generation's directories are written first and env.sh, naming
 * that generation, last and atomically: a reader sees one whole generation or none.
 */
export function writeEnvironmentCache(layout: StoreLayout, input: CacheInput): void {
  let buildId: string;
  try {
    buildId = readFileSync(buildIdFile, "utf8").trim();
  } catch {
    return; // a development build without the launcher: nothing would read the cache
  }
  const state = projectState(layout, input.root);
  // devenv.lock as locked and every input as evaluated, or the environment below is not these files'.
  const watched = readWatched([{ path: lockPath(input.root), sha256: createHash("sha256").update(input.lockText).digest("hex") }, ...input.inputs]);
  if (!watched || watched.slice(1).reduce((sum, file) => sum + file.content.length, 0) > maxInputBytes) {
    rmSync(state.env, { force: true });
    return;
  }
  ensurePrivateDir(state.dir);
  const generation = randomBytes(6).toString("hex");
  for (const dir of [state.watched(generation), state.copies(generation), state.stamps(generation)]) mkdirSync(dir, { mode: 0o700 });
  watched.forEach((file, n) => {
    symlinkSync(file.path, join(state.watched(generation), String(n)));
    writeFileSync(join(state.copies(generation), String(n)), file.content, { mode: 0o600, flag: "wx" });
    writeStamps(state.stamps(generation), String(n), file);
  });
  const vars = (name: string, value: string) => `${name}=${quotePosix(value)}\n`;
  const text = [
    vars("_dv_cache_gen", generation),
    vars("_dv_cache_root", input.root),
    vars("_dv_cache_trust", input.trust),
    vars("_dv_cache_store", join(layout.store, "/")),
    vars("_dv_cache_binaries", input.binaries.join("\n")),
    vars("_dv_cache_guarded", input.guarded.dirs.join("\n")),
    vars("_dv_cache_absent", input.absent.join("\n")),
    vars("_dv_cache_guarded_entries", input.guarded.entries.join("\n")),
    vars("_dv_cache_dirs", [...new Set(input.env.dirs)].join(":")),
    vars("_dv_cache_list", input.list.text),
    vars("_dv_cache_list_json", input.list.json),
    vars("_dv_cache_posix", posixExports(input.env.vars).trimEnd()),
    vars("_dv_cache_fish", fishExports(input.env.vars).trimEnd()),
    ...jsonAround(input.env.vars).map(([name, text]) => vars(name, text)),
    // Last: a file cut short (a crash before all of it reached the disk) names no build, and is not used.
    vars("_dv_cache_build", buildId),
  ].join("");
  // The launcher uses it only once its build id, root and every copy check out: not flushed.
  writeFileAtomic(state.env, text, 0o600, { flush: false });
  // Older generations: anything beside env.sh that is not this generation's (a removal never follows the links).
  const current = new Set([state.env, state.watched(generation), state.copies(generation), state.stamps(generation), state.lock, state.config, state.prefixes]);
  for (const name of readdirSync(state.dir)) {
    const path = join(state.dir, name);
    if (!current.has(path)) rmSync(path, { force: true, recursive: true });
  }
}
