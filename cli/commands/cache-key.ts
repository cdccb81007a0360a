import { createHash } from "node:crypto";
import { findProjectRoot } from "../../config/find.js";
import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import type { Context } from "../context.js";

/**
 * A key for a CI cache of DEVENV_HOME: a hash of this platform's locked
 * archives only, so it changes exactly when the toolchains this machine installs do.
 */
export async function cacheKeyCommand(ctx: Context): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  const current = readLock(root);
  if (current === undefined) throw new DevenvError("lock-invalid", `no devenv.lock in ${root}`, { hint: "run `devenv lock` and commit devenv.lock" });
  const lines = Object.entries(current.lock.tools)
    .map(([name, tool]) => `${name} ${tool.version} ${tool.platforms[ctx.platform]?.sha256 ?? "none"}`)
    .sort();
  const hash = createHash("sha256").update(lines.join("\n")).digest("hex");
  process.stdout.write(`devenv-${ctx.platform}-${hash.slice(0, 24)}\n`);
}
