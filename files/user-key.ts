import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isErrno } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";

/**
 * A random secret, readable only by its owner, created once per DEVENV_HOME.
 * Caches devenv keeps inside a project carry it, so a copy committed to a
 * repository (which cannot know it) is never believed.
 */
export function userKey(home: string): string {
  const file = join(home, "launcher.key");
  mkdirSync(home, { recursive: true });
  try {
    writeFileAtomic(file, `${randomBytes(24).toString("hex")}\n`, 0o600, { exclusive: true });
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
  }
  return readFileSync(file, "utf8").trim();
}
