import { join } from "node:path";
import { existsSync } from "node:fs";
import type { Session as Context } from "./session.js";
import { DevenvError } from "../errors.js";
import type { LockFile } from "../lock/lockfile.js";
import { resolvers, type ToolName } from "../resolvers/registry.js";
import { ensureEntry, type EntryRequest } from "../store/ensure.js";
import { authorization, blobUrl } from "../download/team-cache.js";
import { fetchUrl, type Artifact } from "../resolvers/types.js";
import { registerRoot } from "../store/roots.js";
import { entryPath } from "../store/layout.js";
import { settleAll } from "./settle.js";

export interface InstalledTool {
  readonly name: ToolName;
  readonly version: string;
  readonly entry: string;
}

/**
 * Where each locked tool of this platform lives in the store, in `order`
 * (devenv.ts order, which is PATH order; the lock itself is sorted). Nothing is fetched.
 */
export function lockedEntries(lock: LockFile, ctx: Context, order: readonly ToolName[]): Array<InstalledTool & { sha256: string; url: string }> {
  return order.map((name) => {
    const tool = lock.tools[name];
    if (tool === undefined) throw new Error(`lock has no ${name} after syncing`);
    const artifact = tool.platforms[ctx.platform];
    if (artifact === undefined) {
      throw new DevenvError("platform-missing", `devenv.lock has no ${name} ${tool.version} archive for ${ctx.platform}`, {
        hint: `upstream may not publish one; run \`devenv lock ${name}\` to re-resolve, or pin a version built for ${ctx.platform}`,
      });
    }
    return { name, version: tool.version, entry: entryPath(ctx.layout, name, tool.version, artifact.sha256), ...artifact };
  });
}

/** Makes sure every locked toolchain for this platform is in the store, fetching the missing ones concurrently. */
export async function installLocked(root: string, lock: LockFile, ctx: Context, order: readonly ToolName[]): Promise<InstalledTool[]> {
  const entries = lockedEntries(lock, ctx, order);
  registerRoot(ctx.layout, root);
  return settleAll(entries, async ({ name, version, sha256, url, entry }) => {
    if (existsSync(entry)) {
      assertWhole(name, version, entry);
      return { name, version, entry };
    }
    await ensureEntry(ctx.layout, entryRequest(name, version, { url, sha256 }, entry, ctx), ctx);
    ctx.log.info(`installed ${name} ${version}`);
    return { name, version, entry };
  });
}

/** What the store needs to install one locked archive: where to fetch it, what it must contain, how to fix it up. */
export function entryRequest(tool: ToolName, version: string, artifact: Artifact, entry: string, ctx: Context): EntryRequest {
  const resolver = resolvers[tool];
  const caches = ctx.caches.map((cache) =>
    cache.kind === "layout"
      ? { name: cache.name, path: join(cache.dir, "blobs", "sha256", artifact.sha256) }
      : { name: cache.name, url: blobUrl(cache, artifact.sha256), headers: authorization(ctx.cacheCredentials) },
  );
  return { tool, version, artifact, caches, fetchUrl: fetchUrl(resolver, artifact.url, ctx.mirror(tool)), expect: resolver.binaries, stripTop: resolver.stripTop ?? true, fixup: resolver.fixup };
}

/** The absolute paths of a tool's binaries in its entry: what the launcher checks before every use, too. */
export function entryBinaries(tool: ToolName, entry: string): string[] {
  return resolvers[tool].binaries.map((path) => join(entry, path));
}

/** An installed entry that lost one of its binaries would let the system's tool of that name run instead. */
function assertWhole(tool: ToolName, version: string, entry: string): void {
  const missing = entryBinaries(tool, entry).find((path) => !existsSync(path));
  if (missing !== undefined) {
    throw new DevenvError("store-modified", `${missing} is missing from the store: ${tool} ${version} was modified after it was installed`, {
      hint: "run `devenv verify --repair` to reinstall it",
    });
  }
}
