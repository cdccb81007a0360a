import { join } from "node:path";
import { existsSync } from "node:fs";
import type { Session as Context } from "./session.js";
import { DevenvError } from "../errors.js";
import type { LockFile } from "../lock/lockfile.js";
import { resolverOf, type ToolName } from "../resolvers/registry.js";
import { ensureEntry, type ArchiveSource, type EntryRequest } from "../store/ensure.js";
import { registryAuthorization } from "../download/registry-auth.js";
import { blobUrl } from "../download/team-cache.js";
import { fetchUrl, unpackOf, type Artifact, type Platform } from "../resolvers/types.js";
import { registerRoot } from "../store/roots.js";
import { entryPath } from "../layout.js";
import { settleAll } from "./settle.js";
import { resolveContext } from "./resolve-context.js";
import { assertUpstreamSum, rememberUpstreamSums } from "./upstream-sums.js";

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
  // Registries are asked for their authorization once, and only when something is to be installed.
  let authorized: Promise<ReadonlyMap<string, Record<string, string>>> | undefined;
  return settleAll(entries, async ({ name, version, sha256, url, entry }) => {
    if (existsSync(entry)) {
      assertWhole(name, version, entry);
      return { name, version, entry };
    }
    // From upstream or a mirror, the canonical file must match the sha256; from a team cache, the sha256 alone names the blob.
    if (ctx.caches.length > 0) await assertUpstreamSum(ctx, name, version, lock.tools[name]!.variant, ctx.platform, { url, sha256 });
    authorized ??= authorizeCaches(ctx);
    await ensureEntry(ctx.layout, entryRequest(name, version, { url, sha256 }, entry, ctx.platform, ctx, await authorized), ctx);
    ctx.log.info(`installed ${name} ${version}`);
    return { name, version, entry };
  });
}

/**
 * Each registry cache's Authorization for pulling. A registry that cannot be
 * reached or refuses is passed over, as a miss is (-v says why); an OCI layout needs none.
 */
export async function authorizeCaches(ctx: Context): Promise<ReadonlyMap<string, Record<string, string>>> {
  const headers = new Map<string, Record<string, string>>();
  await Promise.all(
    ctx.caches.map(async (cache) => {
      if (cache.kind !== "registry") return;
      try {
        headers.set(cache.name, await registryAuthorization(ctx.http, cache, ctx.cacheCredentials(new URL(cache.origin).host), "pull"));
      } catch (error) {
        if (!(error instanceof DevenvError)) throw error;
        ctx.log.debug(`${cache.name}: ${error.message}; trying the next source`);
      }
    }),
  );
  return headers;
}

/** What the store needs to install one locked archive: where to fetch it, what it must contain, how to fix it up. */
export function entryRequest(tool: ToolName, version: string, artifact: Artifact, entry: string, platform: Platform, ctx: Context, authorized?: ReadonlyMap<string, Record<string, string>>): EntryRequest {
  const resolver = resolverOf(tool);
  const caches = ctx.caches.flatMap((cache): ArchiveSource[] => {
    if (cache.kind === "layout") return [{ name: cache.name, path: join(cache.dir, "blobs", "sha256", artifact.sha256) }];
    const headers = authorized?.get(cache.name);
    return headers === undefined ? [] : [{ name: cache.name, url: blobUrl(cache, artifact.sha256), headers }];
  });
  const { fixup } = resolver;
  return {
    tool,
    version,
    artifact,
    caches,
    fetchUrl: fetchUrl(resolver, artifact.url, ctx.mirror(resolver)),
    expect: resolver.binaries,
    unpack: unpackOf(resolver, artifact.url, version, platform),
    fixup: fixup && ((dir, target) => fixup(dir, target, version, platform)),
  };
}

/** The absolute paths of a tool's binaries in its entry: what the launcher checks before every use, too. */
export function entryBinaries(tool: ToolName, entry: string): string[] {
  return resolverOf(tool).binaries.map((path) => join(entry, path));
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

/**
 * `devenv exec`'s tools: each spec resolved now, its archive for this platform from upstream's checksums (as a
 * lock would have it), installed into the store and locked nowhere (`devenv gc` may take it once unused).
 */
export async function installOneOff(ctx: Context, requests: ReadonlyArray<{ readonly name: ToolName; readonly spec: string }>): Promise<InstalledTool[]> {
  return settleAll(requests, async ({ name, spec }) => {
    const resolver = resolverOf(name);
    const version = await resolver.resolve(spec, resolveContext(resolver, ctx));
    const artifact = (await resolver.artifacts(version, resolveContext(resolver, ctx)))[ctx.platform];
    if (artifact === undefined) throw new DevenvError("platform-missing", `upstream publishes no ${name} ${version} for ${ctx.platform}`, { hint: `ask for another version: devenv exec ${name}@SPEC` });
    rememberUpstreamSums(ctx.layout, [artifact]);
    const entry = entryPath(ctx.layout, name, version, artifact.sha256);
    if (!existsSync(entry)) {
      await ensureEntry(ctx.layout, entryRequest(name, version, artifact, entry, ctx.platform, ctx), ctx);
      ctx.log.info(`installed ${name} ${version}`);
    }
    return { name, version, entry };
  });
}
