import { DevenvError, HttpStatusError } from "../errors.js";
import { isStable, lockedCandidate, pickVersion, plainSemver, specMatches, type Candidate } from "./pick.js";
import type { ResolveContext, Resolver } from "./types.js";

/**
 * The release tags of a toolchain published on GitHub, in the order the
 * source gives them: from `{mirror}/releases.json` (a JSON array of tags),
 * or from GitHub's tags API, which costs ~30 KB a page where the releases API
 * embeds every asset of every release (~100 MB a page for python).
 */
export async function releaseTags(ctx: ResolveContext, repo: string, mirrorVariable: string): Promise<string[]> {
  if (ctx.mirror !== undefined) {
    const data = await ctx.fetch.json(`${ctx.mirror}/releases.json`);
    if (!Array.isArray(data) || !data.every((t) => typeof t === "string")) {
      throw new DevenvError("resolve-failed", `${ctx.mirror}/releases.json is not a JSON array of release tags`, { hint: `check ${mirrorVariable}` });
    }
    return data as string[];
  }
  return githubTags(ctx, repo, `or set ${mirrorVariable} to a mirror with releases.json`);
}

const api = "https://api.github.com";

/** The token goes to api.github.com only, never to a download host or a mirror. */
function apiHeaders(ctx: ResolveContext): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (ctx.githubToken) headers.authorization = `Bearer ${ctx.githubToken}`;
  return headers;
}

/** Every tag of `repo`, from GitHub's tags API, 100 a page. `orElse`: the rest of a rate limit's hint. */
export async function githubTags(ctx: ResolveContext, repo: string, orElse = "or try again later"): Promise<string[]> {
  const tags: string[] = [];
  for (let page = 1; ; page++) {
    const url = `${api}/repos/${repo}/tags?per_page=100&page=${page}`;
    let answer: unknown;
    try {
      answer = await ctx.fetch.json(url, { headers: apiHeaders(ctx) });
    } catch (error) {
      throw rateLimited(error, orElse) ?? notFound(error, repo) ?? error;
    }
    if (!Array.isArray(answer)) throw new DevenvError("resolve-failed", `${url} did not answer a list of tags`, { hint: "check the proxy between devenv and api.github.com" });
    tags.push(...answer.map((t: { name?: unknown }) => t.name).filter((t): t is string => typeof t === "string"));
    if (answer.length < 100) return tags;
  }
}

/** A release as devenv needs it: its tag, and each asset's name with GitHub's sha256 of it, where GitHub has one. */
export interface Release {
  readonly tag: string;
  readonly assets: ReadonlyMap<string, string | undefined>;
}

/**
 * The release of `tag` (undefined: there is none), or the latest release. Its assets carry
 * GitHub's own `digest` ("sha256:…") since mid-2025; a release's assets are never replaced
 * in place, so it is asked for once (`devenv lock TOOL` asks again).
 */
export async function githubRelease(ctx: ResolveContext, repo: string, tag: string | "latest"): Promise<Release | undefined> {
  const url = tag === "latest" ? `${api}/repos/${repo}/releases/latest` : `${api}/repos/${repo}/releases/tags/${encodeURIComponent(tag)}`;
  let answer: unknown;
  try {
    answer = await ctx.fetch.json(url, { headers: apiHeaders(ctx), immutable: tag !== "latest", validate: (body) => void releaseOf(JSON.parse(body), url) });
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) return undefined;
    throw rateLimited(error, "or try again later") ?? error;
  }
  return releaseOf(answer, url);
}

function releaseOf(answer: unknown, url: string): Release {
  const data = answer as { tag_name?: unknown; assets?: unknown };
  if (typeof data?.tag_name !== "string" || !Array.isArray(data.assets)) throw new DevenvError("resolve-failed", `${url} is not a GitHub release`, { hint: "check the proxy between devenv and api.github.com" });
  const assets = new Map<string, string | undefined>();
  for (const asset of data.assets as Array<{ name?: unknown; digest?: unknown }>) {
    if (typeof asset?.name !== "string") continue;
    const digest = typeof asset.digest === "string" ? /^sha256:([0-9a-f]{64})$/.exec(asset.digest)?.[1] : undefined;
    assets.set(asset.name, digest);
  }
  return { tag: data.tag_name, assets };
}

/** A repository GitHub does not know (or a private one without a token). */
function notFound(error: unknown, repo: string): DevenvError | undefined {
  if (!(error instanceof HttpStatusError) || error.status !== 404) return undefined;
  return new DevenvError("resolve-failed", `GitHub has no repository ${repo} (${error.url} answered 404)`, {
    hint: "check OWNER/REPO; for a private repository, set GITHUB_TOKEN",
    cause: error,
  });
}

/**
 * GitHub's rate limits answer 403 or 429, with `x-ratelimit-remaining: 0` and
 * the reset time (primary limit), or `retry-after` (secondary limit).
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
function rateLimited(error: unknown, orElse: string): DevenvError | undefined {
  if (!(error instanceof HttpStatusError) || (error.status !== 403 && error.status !== 429)) return undefined;
  const { headers } = error;
  const reset = Number(headers["x-ratelimit-reset"]);
  const retryAfter = Number(headers["retry-after"]);
  let when: string;
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) when = `after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`;
  else if (Number.isFinite(retryAfter)) when = `in ${retryAfter} s`;
  else return undefined;
  return new DevenvError("network", `GitHub's API rate limit is spent (${error.url} answered ${error.status}); try again ${when}`, {
    hint: `set GITHUB_TOKEN (any token lifts the limit to 5,000 requests an hour), ${orElse}`,
    cause: error,
  });
}

/**
 * How a toolchain published on GitHub resolves: a spec (SPEC §2: exact, line,
 * range, latest) among the releases of `repo` whose tags match `pattern` (its
 * first group is the semver version); other tags (canary, nightly) are not releases.
 */
export function taggedReleases(tool: string, source: { repo: string; mirrorVariable: string; pattern: RegExp }): Pick<Resolver, "resolve" | "releases" | "matches" | "admits"> {
  const releases = async (ctx: ResolveContext): Promise<Candidate[]> =>
    (await releaseTags(ctx, source.repo, source.mirrorVariable)).flatMap((tag) => source.pattern.exec(tag)?.[1] ?? []).map((version) => ({ version, semver: version, stable: isStable(version) }));
  return {
    resolve: async (spec, ctx) => pickVersion(tool, spec.replace(/^v/, ""), await releases(ctx), plainSemver),
    releases,
    matches: (spec, release) => specMatches(spec.replace(/^v/, ""), release, plainSemver),
    admits: (spec, version) => {
      const release = lockedCandidate(version, plainSemver);
      return release !== undefined && specMatches(spec.replace(/^v/, ""), release, plainSemver);
    },
  };
}
