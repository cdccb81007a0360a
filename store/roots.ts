import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import type { StoreLayout } from "../layout.js";

export interface Root {
  readonly file: string;
  readonly project: string;
}

/**
 * Registers a project as a garbage-collection root. gc reads the project's
 * devenv.lock and its generations when it runs, so the root holds only the path.
 * Registered before installing, so gc never sees a fresh entry without its root.
 */
export function registerRoot(layout: StoreLayout, project: string): void {
  const file = join(layout.roots, createHash("sha256").update(project).digest("hex").slice(0, 32));
  try {
    if (readFileSync(file, "utf8") === `${project}\n`) return;
  } catch {
    mkdirSync(layout.roots, { recursive: true });
  }
  writeFileAtomic(file, `${project}\n`);
}

export function listRoots(layout: StoreLayout): Root[] {
  let names: string[];
  try {
    names = readdirSync(layout.roots).filter((name) => !name.endsWith(".tmp"));
  } catch {
    return [];
  }
  return names.map((name) => ({ file: join(layout.roots, name), project: readFileSync(join(layout.roots, name), "utf8").trim() }));
}

export function dropRoot(root: Root): void {
  rmSync(root.file, { force: true });
}
