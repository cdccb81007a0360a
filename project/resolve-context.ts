import { createHash } from "node:crypto";
import { mkdir, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { removeTree } from "../files/tree.js";
import type { ResolveContext, Resolver } from "../resolvers/types.js";
import type { Session as Context } from "./session.js";

/**
 * What a resolver may use of the session: its mirror, the one fetcher, the GitHub token, and
 * (outside --frozen, CI and --offline) a download hashed once, for an upstream that publishes
 * no checksums. `recheck`: immutable checksum files are asked for again.
 */
export function resolveContext(resolver: Resolver, ctx: Context, recheck = false): ResolveContext {
  return {
    mirror: ctx.mirror(resolver),
    fetch: recheck ? ctx.http.rechecking() : ctx.http,
    githubToken: ctx.githubToken,
    hashOf: ctx.frozen || ctx.offline ? undefined : (url: string) => hashOfDownload(url, ctx),
  };
}

/** Downloads `url` into a private temporary directory and hashes it as it is written; nothing is kept. */
async function hashOfDownload(url: string, ctx: Context): Promise<string> {
  await mkdir(ctx.layout.tmp, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(ctx.layout.tmp, "hash-"));
  const hash = createHash("sha256");
  try {
    await ctx.http.download(url, join(dir, "file"), (chunk) => hash.update(chunk));
    return hash.digest("hex");
  } finally {
    await removeTree(dir);
  }
}
