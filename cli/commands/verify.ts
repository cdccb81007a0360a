import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DevenvError } from "../../errors.js";
import { removeTree } from "../../files/tree.js";
import { entryRequest } from "../../project/install.js";
import { ensureEntry } from "../../store/ensure.js";
import { referencedEntries } from "../../project/referenced.js";
import { treeHash } from "../../store/tree-hash.js";
import type { Context } from "../context.js";

/**
 * Re-hashes every store entry against the tree hash recorded when it was
 * installed; lists the ones that changed. --repair reinstalls them from a
 * lock that pins them (any registered project's, generations included).
 */
export async function verifyCommand(ctx: Context, args: Record<string, unknown>): Promise<number> {
  const { store, trees } = ctx.layout;
  let names: string[];
  try {
    names = readdirSync(store).sort();
  } catch {
    names = [];
  }
  const modified: string[] = [];
  for (const name of names) {
    let recorded: string | undefined;
    try {
      recorded = readFileSync(join(trees, name), "utf8").trim();
    } catch {
      process.stdout.write(`${"unrecorded".padEnd(12)}${name} (installed without a tree hash; reinstall it to record one)\n`);
      continue;
    }
    const ok = (await treeHash(join(store, name))) === recorded;
    process.stdout.write(`${(ok ? "ok" : "modified").padEnd(12)}${name}\n`);
    if (!ok) modified.push(name);
  }
  if (modified.length === 0) return 0;
  if (args.repair !== true) {
    throw new DevenvError("store-modified", `${modified.length} store ${modified.length === 1 ? "entry was" : "entries were"} modified after install: ${modified.join(", ")}`, {
      hint: "run `devenv verify --repair` to reinstall them from the lock",
    });
  }
  const { entries } = referencedEntries(ctx.layout, ctx.platform);
  const unrepairable = modified.filter((name) => !entries.has(name));
  for (const name of modified.filter((n) => entries.has(n))) {
    const { tool, version, artifact } = entries.get(name)!;
    const entry = join(store, name);
    await removeTree(entry);
    await ensureEntry(ctx.layout, entryRequest(tool, version, artifact, entry, ctx.platform, ctx), ctx);
    process.stdout.write(`${"repaired".padEnd(12)}${name}\n`);
  }
  if (unrepairable.length > 0) {
    throw new DevenvError("store-modified", `no lock pins ${unrepairable.join(", ")}, so devenv cannot reinstall ${unrepairable.length === 1 ? "it" : "them"}`, {
      hint: "`devenv gc` removes entries no project uses",
    });
  }
  return 0;
}
