import { findProjectRoot } from "../../config/find.js";
import { pushArchives, type PushedArchive } from "../../download/oci-push.js";
import { parseTeamCache } from "../../download/team-cache.js";
import { DevenvError } from "../../errors.js";
import { readLock } from "../../lock/lockfile.js";
import { authorizeCaches, entryRequest } from "../../project/install.js";
import type { ToolName } from "../../resolvers/registry.js";
import { platforms, type Platform } from "../../resolvers/types.js";
import { entryPath } from "../../layout.js";
import { fetchArchive } from "../../store/fetch.js";
import type { Context } from "../context.js";

/**
 * `devenv cache push [--to URL] [--all-platforms]`: every archive of the lock
 * (this platform's, or all four) to a team cache, byte for byte as upstream
 * published it. Reads the lock only: no project code runs.
 */
export async function cacheCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const to = typeof args.to === "string" ? parseTeamCache(args.to, "--to") : ctx.caches[0];
  if (to === undefined) throw new DevenvError("usage", "no team cache to push to", { hint: "name one with --to oci://registry/repo (or oci-layout:DIR), or set DEVENV_CACHE" });
  const root = findProjectRoot(ctx.cwd);
  const lock = readLock(root)?.lock;
  if (lock === undefined) throw new DevenvError("lock-invalid", `no devenv.lock in ${root}`, { hint: "run `devenv lock` first" });
  const wanted: readonly Platform[] = args.allPlatforms === true ? platforms : [ctx.platform];
  // Fetched from the other caches, the mirror or upstream; never from where it is going.
  const sources = { ...ctx, caches: ctx.caches.filter((cache) => cache.name !== to.name) };
  const authorized = authorizeCaches(sources);
  const archives: PushedArchive[] = [];
  const releases: Array<() => Promise<void>> = [];
  try {
    for (const [tool, locked] of Object.entries(lock.tools)) {
      for (const platform of wanted) {
        const artifact = locked.platforms[platform];
        if (artifact === undefined) continue;
        const request = entryRequest(tool as ToolName, locked.version, artifact, entryPath(ctx.layout, tool, locked.version, artifact.sha256), platform, sources, await authorized);
        const { file, release } = await fetchArchive(ctx.layout, request, ctx);
        releases.push(release);
        archives.push({ file, sha256: artifact.sha256, tool, version: locked.version, platform, url: artifact.url });
      }
    }
    const uploaded = await pushArchives(to, archives, ctx.http, to.kind === "registry" ? ctx.cacheCredentials(new URL(to.origin).host) : {});
    ctx.log.info(`pushed ${archives.length} ${archives.length === 1 ? "archive" : "archives"} to ${to.name} (${uploaded} uploaded, ${archives.length - uploaded} already there)`);
  } finally {
    await Promise.all(releases.map((release) => release()));
  }
}
