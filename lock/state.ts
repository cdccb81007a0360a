import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DevenvError, isErrno } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { stateLayout } from "../layout.js";


/**
 * Creates `.devenv/` with a .gitignore of `*` (so the project's VCS never sees
 * it), its history and tmp directories. A repository decides what these paths
 * are: if any of them is a symbolic link, or not a directory, devenv writes
 * nothing through it, so nothing it writes lands outside the project.
 */
export function ensureStateDir(root: string): ReturnType<typeof stateLayout> {
  const layout = stateLayout(root);
  for (const dir of [layout.dir, layout.history, layout.tmp]) ensureDirectory(dir);
  const ignore = join(layout.dir, ".gitignore");
  const stat = lstatSync(ignore, { throwIfNoEntry: false });
  // Whole or not at all: on a full disk an empty .gitignore would stay, and .devenv/ show in `git status` for good.
  if (stat === undefined) writeIgnore(ignore, layout.tmp);
  else if (!stat.isFile()) refuse(ignore, stat.isSymbolicLink() ? "a symbolic link" : "not a file");
  return layout;
}

/** `dir` as a directory of its own, created if missing: refused if it is a link or not a directory. */
export function ensureDirectory(dir: string): void {
  const stat = lstatSync(dir, { throwIfNoEntry: false });
  if (stat === undefined) mkdirSync(dir, { mode: 0o700 });
  else if (!stat.isDirectory()) refuse(dir, stat.isSymbolicLink() ? "a symbolic link" : "not a directory");
}

/**
 * The state directory and its history as they already are, for removing
 * generations: undefined when there is no history, refused (as by
 * ensureStateDir) when `.devenv/` or its history is a symbolic link or not a
 * directory, so a removal never reaches outside the project.
 */
export function existingStateDir(root: string): ReturnType<typeof stateLayout> | undefined {
  const layout = stateLayout(root);
  for (const dir of [layout.dir, layout.history]) {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    if (!stat.isDirectory()) refuse(dir, stat.isSymbolicLink() ? "a symbolic link" : "not a directory");
  }
  return layout;
}

function writeIgnore(ignore: string, tmp: string): void {
  try {
    writeFileAtomic(ignore, "*\n", 0o600, { exclusive: true, tempDir: tmp });
  } catch (error) {
    // A twin wrote it first.
    if (!isErrno(error, "EEXIST")) throw error;
  }
}

function refuse(path: string, what: string): never {
  throw new DevenvError("filesystem", `${path} is ${what}: devenv writes nothing through it`, {
    hint: "remove it (devenv recreates .devenv/ as it needs it), and check why the repository ships it",
  });
}
