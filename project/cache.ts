import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { ConfigInput } from "../config/load.js";
import { writeFileAtomic } from "../files/atomic.js";
import { ensurePrivateDir } from "../files/private-dir.js";
import { lockPath } from "../lock/lockfile.js";
import { fishExports } from "../shells/fish.js";
import { posixExports, quotePosix } from "../shells/posix.js";
import { projectState, type StoreLayout } from "../layout.js";
import type { DevenvEnvironment } from "../shells/types.js";
import type { GuardedDirs } from "./prefixes.js";
import { readWatched } from "./watched.js";

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
}

/** Stands for PATH in the cached JSON: no variable's name or value can hold it (NUL is no part of an environment). */
const pathMark = "\u0000PATH\u0000";

/**
 * `devenv env --shell json` as the CLI prints it, around PATH's value, which the
 * launcher composes from the outer PATH: the text before it and after it. Both
 * empty when a variable of devenv.ts's is named PATH (the launcher then sends the call to the CLI).
 */
function jsonAround(vars: Readonly<Record<string, string>>): Array<[CacheVariable, string]> {
  const text = JSON.stringify({ PATH: pathMark, ...vars }, null, 2);
  const mark = JSON.stringify(pathMark);
  const at = text.indexOf(mark);
  return [
    ["json_head", at === -1 ? "" : text.slice(0, at)],
    ["json_tail", at === -1 ? "" : text.slice(at + mark.length)],
  ];
}

/**
 * Writes the environment the launcher (bin/devenv) applies without starting
 * Node.js, into the project's state in DEVENV_HOME (layout.ts): user-only,
 * so no repository can ship one and no other user can write one. Beside it, a
 * directory of links to devenv.lock and every input, and one of copies of them: the
 * launcher compares them with one `diff -rq` before every answer. A snapshot's
 * directories are written first and env.sh, naming that snapshot, last and
 * atomically: a reader sees one whole snapshot or none.
 */
/**
 * The contract with the launcher: the variables env.sh sets, each `_dv_cache_<name>`.
 * Declared here alone; scripts/build.mjs refuses a cli/launcher.sh that reads any other,
 * or leaves one of these unread.
 */
export const cacheVariables = ["snapshot", "root", "trust", "store", "binaries", "guarded", "guarded_entries", "absent", "dirs", "posix", "fish", "json_head", "json_tail", "build"] as const;
export type CacheVariable = (typeof cacheVariables)[number];

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
  const snapshot = randomBytes(6).toString("hex");
  for (const dir of [state.watched(snapshot), state.copies(snapshot)]) mkdirSync(dir, { mode: 0o700 });
  watched.forEach((file, n) => {
    symlinkSync(file.path, join(state.watched(snapshot), String(n)));
    writeFileSync(join(state.copies(snapshot), String(n)), file.content, { mode: 0o600, flag: "wx" });
  });
  const vars = (name: CacheVariable, value: string) => `_dv_cache_${name}=${quotePosix(value)}\n`;
  const text = [
    vars("snapshot", snapshot),
    vars("root", input.root),
    vars("trust", input.trust),
    vars("store", join(layout.store, "/")),
    vars("binaries", input.binaries.join("\n")),
    vars("guarded", input.guarded.dirs.join("\n")),
    vars("absent", input.absent.join("\n")),
    vars("guarded_entries", input.guarded.entries.join("\n")),
    vars("dirs", [...new Set(input.env.dirs)].join(":")),
    vars("posix", posixExports(input.env.vars).trimEnd()),
    vars("fish", fishExports(input.env.vars).trimEnd()),
    ...jsonAround(input.env.vars).map(([name, text]) => vars(name, text)),
    // Last: a file cut short (a crash before all of it reached the disk) names no build, and is not used.
    vars("build", buildId),
  ].join("");
  // The launcher uses it only once its build id, root and every copy check out: not flushed.
  writeFileAtomic(state.env, text, 0o600, { flush: false });
  // Older snapshots, and nothing else: the state directory also holds what other commands keep there (prefixes,
  // scripts, a service's data, a detached run), which is theirs to remove. A removal never follows the links.
  const current = new Set([state.watched(snapshot), state.copies(snapshot)]);
  const snapshots = [basename(state.watched("")), basename(state.copies(""))];
  for (const name of readdirSync(state.dir)) {
    const path = join(state.dir, name);
    if (snapshots.some((prefix) => name.startsWith(prefix)) && !current.has(path)) rmSync(path, { force: true, recursive: true });
  }
}
