import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DevenvError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { resolverOf, type ToolName } from "../resolvers/registry.js";
import type { Artifact, Platform } from "../resolvers/types.js";
import type { StoreLayout } from "../layout.js";
import type { Session as Context } from "./session.js";
import { resolveContext } from "./resolve-context.js";

/**
 * The lock names which upstream file; its sha256 decides bytes only once devenv has seen
 * upstream publish that sha256 for that file. A team cache serves whatever blob a sha256
 * names, so a lock-only edit of one would otherwise install anything the cache holds.
 * What devenv read from upstream's checksums (at lock time, or checked here) is kept in
 * DEVENV_HOME, so each pair is checked once.
 */
export function rememberUpstreamSums(layout: StoreLayout, artifacts: readonly Artifact[]): void {
  try {
    mkdirSync(layout.upstreamSums, { recursive: true, mode: 0o700 });
    for (const { url, sha256 } of artifacts) writeFileAtomic(fileFor(layout, url), `${sha256}\n`, 0o600, { flush: false });
  } catch {
    // a read-only DEVENV_HOME: the pair is checked again next time
  }
}

/** Throws unless `artifact`'s sha256 is the one upstream publishes for its URL (see rememberUpstreamSums). */
export async function assertUpstreamSum(ctx: Context, tool: ToolName, version: string, variant: string | undefined, platform: Platform, artifact: Artifact): Promise<void> {
  if (known(ctx.layout, artifact.url) === artifact.sha256) return;
  // An air gap, or a network where only the cache answers, has no upstream to ask: accepting the
  // lock as it is must be said outright (CI and DEVENV_TRUST=1 say it, as they do for devenv.ts).
  const unchecked = (why: string, cause?: unknown) => {
    if (ctx.trustAll) return;
    throw new DevenvError("offline", `devenv.lock's sha256 for ${tool} ${version} (${platform}) cannot be checked against upstream's checksums (${why}), and a team cache would decide the bytes`, {
      hint: "run the command once where upstream (or its mirror) answers, or set DEVENV_TRUST=1 to accept devenv.lock's checksums as they are",
      cause,
    });
  };
  if (ctx.offline) return unchecked("offline");
  let published: Partial<Record<Platform, Artifact>>;
  try {
    published = await resolverOf(tool).artifacts(version, resolveContext(resolverOf(tool), ctx), variant);
  } catch (error) {
    if (!(error instanceof DevenvError) || (error.code !== "network" && error.code !== "offline")) throw error;
    return unchecked(error.message, error);
  }
  rememberUpstreamSums(ctx.layout, Object.values(published));
  const upstream = published[platform];
  if (upstream?.url === artifact.url && upstream.sha256 === artifact.sha256) return;
  throw new DevenvError("checksum-mismatch", `devenv.lock's sha256 for ${tool} ${version} (${platform}) is ${artifact.sha256}, but upstream publishes ${upstream?.sha256 ?? "none"} for ${artifact.url}`, {
    hint: `a team cache will not serve bytes upstream never published: restore devenv.lock from version control, or rebuild the entry with \`devenv lock ${tool}\``,
  });
}

function known(layout: StoreLayout, url: string): string | undefined {
  try {
    return readFileSync(fileFor(layout, url), "utf8").trim();
  } catch {
    return undefined;
  }
}

const fileFor = (layout: StoreLayout, url: string) => join(layout.upstreamSums, createHash("sha256").update(url).digest("hex").slice(0, 32));
