import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { LockFile } from "../lock/lockfile.js";
import type { Platform } from "../resolvers/types.js";
import { entryPath, type StoreLayout } from "../layout.js";

/** One row of `devenv list`. */
export interface ListedTool {
  readonly name: string;
  readonly spec: string;
  readonly version: string;
  readonly path: string | null;
  readonly installed: boolean;
  /** Where its archive came from on the install: a team cache, a mirror, or upstream. */
  readonly source: string | null;
}

/** `devenv list`, as text and as JSON: the CLI prints it, and the launcher's cache keeps it to print without Node.js. */
export function listing(layout: StoreLayout, platform: Platform, lock: LockFile): { text: string; json: string } {
  const rows: ListedTool[] = Object.entries(lock.tools).map(([name, tool]) => {
    const artifact = tool.platforms[platform];
    const path = artifact ? entryPath(layout, name, tool.version, artifact.sha256) : null;
    const installed = path !== null && existsSync(path);
    const source = installed ? originOf(join(layout.origins, basename(path))) : null;
    return { name, spec: tool.spec, version: tool.version, path, installed, source };
  });
  const table = rows.map((r) => [r.name, r.spec, r.version, r.installed ? "installed" : "missing", r.path ?? `(no ${platform} archive)`]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((row) => row[i]!.length)));
  const text = table.map((row) => `${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join("  ")}\n`).join("");
  return { text, json: `${JSON.stringify(rows, null, 2)}\n` };
}

/** What an install recorded; null for an entry installed before devenv recorded it. */
function originOf(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}
