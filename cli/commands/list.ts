import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import { listing } from "../../project/listing.js";
import type { Context } from "../context.js";

/** Reads only devenv.lock and the store: no project code runs, nothing is fetched. */
export async function listCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  const current = readLock(root);
  if (current === undefined) throw new DevenvError("lock-invalid", `no devenv.lock in ${root}`, { hint: "run `devenv lock`" });
  const { text, json } = listing(ctx.layout, ctx.platform, current.lock);
  process.stdout.write(args.json === true ? json : text);
}
