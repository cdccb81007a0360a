import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from "node:fs";
import { DevenvError } from "../errors.js";

/**
 * Creates `dir` (and its parents) for this user alone, and refuses one that
 * another user owns or that is a symbolic link: what devenv keeps there is
 * believed without further checks (the launcher sources it).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new DevenvError("filesystem", `${dir} is ${stat.isDirectory() ? "owned by another user" : "not a directory"}: devenv keeps private state there`, {
      hint: "remove it, or point DEVENV_HOME at a directory of your own",
    });
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Refuses a DEVENV_HOME (and the directories in it whose contents devenv
 * believes: the store, trust records, temporary trees, locks, per-project
 * state) that another user could have written, as ssh's StrictModes refuses a
 * `~/.ssh` others can write: owned by this user (or root), writable by no one
 * else. One that does not exist yet is created for this user alone.
 */
export function refuseForeignHome(home: string, inside: readonly string[]): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch {
    // read-only or not ours to create: whatever needs it fails later, naming the path
  }
  for (const dir of [home, ...inside]) {
    let stat: Stats | undefined;
    try {
      stat = statSync(dir, { throwIfNoEntry: false });
    } catch {
      // unreadable or too long a path: whatever needs it fails later, naming the path
    }
    if (stat === undefined) continue;
    const owner = stat.uid !== uid && stat.uid !== 0 ? `owned by uid ${stat.uid}` : undefined;
    const writable = (stat.mode & 0o022) !== 0 ? `writable by ${(stat.mode & 0o002) !== 0 ? "every user" : "its group"}` : undefined;
    if (owner === undefined && writable === undefined) continue;
    const fix = owner !== undefined ? `remove it, or run \`chown -R ${uid} ${home}\` if it is yours` : `run \`chmod go-w ${dir}\``;
    throw new DevenvError("filesystem", `${dir} is ${owner ?? writable}: another user could plant toolchains or trust there`, {
      hint: `${fix}, or point DEVENV_HOME at a directory of your own`,
    });
  }
}
