import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import { entryPath } from "../../store/layout.js";
import type { Context } from "../context.js";

/** What an install recorded; null for an entry installed before devenv recorded it. */
function originOf(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** Reads only devenv.lock and the store: no project code runs, nothing is fetched. */
export async function listCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  const current = readLock(root);
  if (current === undefined) throw new DevenvError("lock-invalid", `no devenv.lock in ${root}`, { hint: "run `devenv lock`" });
  const rows = Object.entries(current.lock.tools).map(([name, tool]) => {
    const artifact = tool.platforms[ctx.platform];
    const path = artifact ? entryPath(ctx.layout, name, tool.version, artifact.sha256) : null;
    const installed = path !== null && existsSync(path);
    // Where its archive came from on the install: a team cache, a mirror, or upstream.
    const source = installed ? originOf(join(ctx.layout.origins, basename(path))) : null;
    return { name, spec: tool.spec, version: tool.version, path, installed, source };
  });
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = rows.map((r) => [r.name, r.spec, r.version, r.installed ? "installed" : "missing", r.path ?? `(no ${ctx.platform} archive)`]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join("  ")}\n`);
}
