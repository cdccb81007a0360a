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
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (ctx.githubToken) headers.authorization = `Bearer ${ctx.githubToken}`;
  const tags: string[] = [];
  for (let page = 1; ; page++) {
    const url = `https://api.github.com/repos/${repo}/tags?per_page=100&page=${page}`;
    let answer: unknown;
    try {
      answer = await ctx.fetch.json(url, { headers });
    } catch (error) {
      throw rateLimited(error, mirrorVariable) ?? error;
    }
    if (!Array.isArray(answer)) throw new DevenvError("resolve-failed", `${url} did not answer a list of tags`, { hint: `set ${mirrorVariable} to a mirror` });
    tags.push(...answer.map((t: { name?: unknown }) => t.name).filter((t): t is string => typeof t === "string"));
    if (answer.length < 100) return tags;
  }
}

/**
 * GitHub's rate limits answer 403 or 429, with `x-ratelimit-remaining: 0` and
 * the reset time (primary limit), or `retry-after` (secondary limit).
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
function rateLimited(error: unknown, mirrorVariable: string): DevenvError | undefined {
  if (!(error instanceof HttpStatusError) || (error.status !== 403 && error.status !== 429)) return undefined;
  const { headers } = error;
  const reset = Number(headers["x-ratelimit-reset"]);
  const retryAfter = Number(headers["retry-after"]);
  let when: string;
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) when = `after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`;
  else if (Number.isFinite(retryAfter)) when = `in ${retryAfter} s`;
  else return undefined;
  return new DevenvError("network", `GitHub's API rate limit is spent (${error.url} answered ${error.status}); try again ${when}`, {
    hint: `set GITHUB_TOKEN (any token lifts the limit to 5,000 requests an hour), or set ${mirrorVariable} to a mirror with releases.json`,
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
