import { chmodSync, lstatSync, mkdirSync } from "node:fs";
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
