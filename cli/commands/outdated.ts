import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import { resolveContext } from "../../project/resolve-context.js";
import { newestFirst } from "../../resolvers/pick.js";
import { resolverOf } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/**
 * `devenv outdated [--json]`: per locked tool, its version, the newest its spec admits (what `devenv update`
 * would lock) and the newest upstream has (what an edit of devenv.ts would reach). Reads devenv.lock, whose
 * specs are devenv.ts's, and upstream's indexes: no project code runs.
 */
export async function outdatedCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  const current = readLock(root);
  if (current === undefined) throw new DevenvError("lock-invalid", `no devenv.lock in ${root}`, { hint: "run `devenv lock`" });
  const rows = await Promise.all(
    Object.entries(current.lock.tools).map(async ([name, tool]) => {
      const resolver = resolverOf(name);
      const releases = newestFirst(await resolver.releases(resolveContext(resolver, ctx)));
      const wanted = releases.find((release) => resolver.matches(tool.spec, release))?.version ?? null;
      const latest = releases.find((release) => release.stable)?.version ?? null;
      return { name, spec: tool.spec, locked: tool.version, wanted, latest };
    }),
  );
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = [["tool", "spec", "locked", "wanted", "latest", ""], ...rows.map((r) => [r.name, r.spec, r.locked, r.wanted ?? "-", r.latest ?? "-", r.wanted !== null && r.wanted !== r.locked ? `devenv update ${r.name}` : r.latest !== null && r.latest !== r.locked && r.latest !== r.wanted ? "newer outside the spec: edit devenv.ts" : ""])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
}
