import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpStatusError } from "../download/http.js";
import { DevenvError } from "../errors.js";
import { isValidSemverSpec, noMatch, pickVersion, type Candidate } from "./pick.js";
import { parseShasums, rebaseUrl, type Artifact, type Platform, type ResolveContext, type Resolver } from "./types.js";

const upstream = "https://github.com/astral-sh/python-build-standalone/releases/download";
const tagsApi = "https://api.github.com/repos/astral-sh/python-build-standalone/tags";

const triples: Record<Platform, string> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
};
const platformOfTriple = new Map(Object.entries(triples).map(([platform, triple]) => [triple, platform as Platform]));

/**
 * `cpython-{version}+{tag}-{triple}-install_only[_stripped].tar.gz`; anchored so that
 * freethreaded, musl, debug and `-full.tar.zst` builds never match.
 */
const assetPattern = /^cpython-(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)\+(\d+)-([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(?:-[a-z0-9_]+)?)-install_only(_stripped)?\.tar\.gz$/;

/** CPython's spelling onto semver: 3.13.0rc2 → 3.13.0-rc.2. */
function toSemver(version: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?$/.exec(version);
  if (!match) return undefined;
  const [, major, minor, patch, pre, n] = match;
  return `${major}.${minor}.${patch}${pre ? `-${pre}.${n}` : ""}`;
}

/** What one release tag builds: version → platform → the preferred asset's name and checksum. */
type TagBuilds = Map<string, Map<Platform, { asset: string; sha256: string; stripped: boolean }>>;

export const python = {
  name: "python",

  binaries: ["bin/python3"],

  isValidSpec: (spec) => isValidSemverSpec(spec, toSemver),

  /**
   * The same CPython version is re-shipped under many tags. Walking tags newest
   * first, the first tag that builds a matching version holds the newest one.
   */
  async resolve(spec, ctx) {
    const seen: Candidate[] = [];
    for await (const { builds } of walkTags(ctx)) {
      const candidates = [...builds.keys()].map((version) => ({ version, semver: toSemver(version)!, stable: /^[\d.]+$/.test(version) }));
      seen.push(...candidates.filter((c) => !seen.some((s) => s.version === c.version)));
      try {
        return pickVersion("python", spec, candidates, toSemver);
      } catch {
        // not in this tag: try an older one
      }
    }
    return pickVersion("python", spec, seen, toSemver);
  },

  /** The newest tag that builds `version`; its URL in the lock pins that tag, so a lock never drifts. */
  async artifacts(version, ctx) {
    for await (const { tag, builds } of walkTags(ctx)) {
      const platforms = builds.get(version);
      if (!platforms) continue;
      const found: Partial<Record<Platform, Artifact>> = {};
      for (const [platform, { asset, sha256 }] of platforms) {
        found[platform] = { url: `${upstream}/${tag}/${encodeURIComponent(asset)}`, sha256 };
      }
      return found;
    }
    throw noMatch("python", version, []);
  },

  /** The tag is the release's (any); the asset must be this version's install_only build for the platform, from that tag. */
  isCanonicalUrl(url, version, platform) {
    const prefix = `${upstream}/`;
    if (!url.startsWith(prefix)) return false;
    const [tag, asset, ...rest] = url.slice(prefix.length).split("/");
    if (tag === undefined || asset === undefined || rest.length > 0 || !/^\d+$/.test(tag)) return false;
    const match = assetPattern.exec(decodeURIComponent(asset));
    return match !== null && encodeURIComponent(match[0]) === asset && match[1] === version && match[2] === tag && match[3] === triples[platform];
  },

  downloadUrl: (url, mirror) => rebaseUrl(url, upstream, mirror),

  activate: (entry) => ({ bin: [`${entry}/bin`], env: {} }),

  /**
   * python-build-standalone leaves its build prefix `/install` in sysconfig data and
   * the config Makefile; point them at the entry so sysconfig and C extension builds work.
   */
  async fixup(dir, entry) {
    const rewritten: string[] = [];
    for (const versionDir of (await readdir(join(dir, "lib")).catch(() => [])).filter((name) => /^python3\.\d+t?$/.test(name))) {
      const base = `lib/${versionDir}`;
      for (const name of await readdir(join(dir, base))) {
        const file = /^_sysconfigdata_.*\.py$/.test(name) ? `${base}/${name}` : name.startsWith("config-") ? `${base}/${name}/Makefile` : undefined;
        if (file !== undefined && (await rewritePrefix(join(dir, file), entry))) rewritten.push(file);
      }
    }
    return rewritten;
  },
} satisfies Resolver;

/** `/install` as a path of its own: at the start of a value, after `=`, a quote, a space or -I/-L. */
const buildPrefix = /(?<=^|[\s'"=:,(]|-[IL])\/install(?=[/\s'",:)]|$)/gm;

/** True when the file existed and now points at the entry. */
async function rewritePrefix(file: string, entry: string): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return false;
  await writeFile(file, text.replace(buildPrefix, entry));
  return true;
}

/** How many SHA256SUMS files are fetched at once while walking tags: old python lines sit dozens of releases back. */
const lookahead = 8;

/** Release tags newest first, each with what it builds for our platforms; tags without SHA256SUMS are skipped. */
async function* walkTags(ctx: ResolveContext): AsyncGenerator<{ tag: string; builds: TagBuilds }> {
  const base = ctx.mirror ?? upstream;
  const tags = await releaseTags(ctx);
  // A published release's files never change: cached for good, and fetched ahead of the walk.
  const sums = (tag: string) => {
    const url = `${base}/${tag}/SHA256SUMS`;
    const parsed = ctx.fetch.text(url, { immutable: true, validate: (text) => parseShasums(text, url) }).then(
      (text) => parseShasums(text, url),
      (error: unknown) => {
        if (error instanceof HttpStatusError && error.status === 404) return undefined;
        throw error;
      },
    );
    // Awaited in its turn of the walk, or never when the walk ends early: either way not an unhandled rejection.
    parsed.catch(() => {});
    return parsed;
  };
  const pending = tags.slice(0, lookahead).map(sums);
  for (const [i, tag] of tags.entries()) {
    const found = await pending[i]!;
    const next = tags[i + lookahead];
    if (next !== undefined) pending.push(sums(next));
    if (found !== undefined) yield { tag, builds: tagBuilds(tag, found) };
  }
}

function tagBuilds(tag: string, sums: Map<string, string>): TagBuilds {
  const builds: TagBuilds = new Map();
  for (const [asset, sha256] of sums) {
    const match = assetPattern.exec(asset);
    const platform = match && match[2] === tag ? platformOfTriple.get(match[3]!) : undefined;
    if (!match || !platform) continue;
    const stripped = match[4] !== undefined;
    const byPlatform = builds.get(match[1]!) ?? new Map();
    const current = byPlatform.get(platform);
    if (!current || (stripped && !current.stripped)) byPlatform.set(platform, { asset, sha256, stripped });
    builds.set(match[1]!, byPlatform);
  }
  return builds;
}

/**
 * `{mirror}/releases.json`, or the repository's tags from the GitHub API: a
 * page of 100 tags is ~30 KB, where a page of releases embeds every asset of
 * every release (~100 MB). Release tags are dates, so newest first is a sort.
 */
async function releaseTags(ctx: ResolveContext): Promise<string[]> {
  if (ctx.mirror !== undefined) {
    const data = await ctx.fetch.json(`${ctx.mirror}/releases.json`);
    if (!Array.isArray(data) || !data.every((t) => typeof t === "string")) {
      throw new DevenvError("resolve-failed", `${ctx.mirror}/releases.json is not a JSON array of release tags`, { hint: "check DEVENV_PYTHON_MIRROR" });
    }
    return data as string[];
  }
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (ctx.githubToken) headers.authorization = `Bearer ${ctx.githubToken}`;
  const tags: string[] = [];
  for (let page = 1; ; page++) {
    const url = `${tagsApi}?per_page=100&page=${page}`;
    let answer: unknown;
    try {
      answer = await ctx.fetch.json(url, { headers });
    } catch (error) {
      throw rateLimited(error) ?? error;
    }
    if (!Array.isArray(answer)) throw new DevenvError("resolve-failed", `${url} did not answer a list of tags`, { hint: "set DEVENV_PYTHON_MIRROR to a mirror" });
    tags.push(...answer.map((t: { name?: unknown }) => t.name).filter((t): t is string => typeof t === "string"));
    if (answer.length < 100) return tags.sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
  }
}

/**
 * GitHub's rate limits answer 403 or 429, with `x-ratelimit-remaining: 0` and
 * the reset time (primary limit), or `retry-after` (secondary limit).
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
function rateLimited(error: unknown): DevenvError | undefined {
  if (!(error instanceof HttpStatusError) || (error.status !== 403 && error.status !== 429)) return undefined;
  const { headers } = error;
  const reset = Number(headers["x-ratelimit-reset"]);
  const retryAfter = Number(headers["retry-after"]);
  let when: string;
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) when = `after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`;
  else if (Number.isFinite(retryAfter)) when = `in ${retryAfter} s`;
  else return undefined;
  return new DevenvError("network", `GitHub's API rate limit is spent (${error.url} answered ${error.status}); try again ${when}`, {
    hint: "set GITHUB_TOKEN (any token lifts the limit to 5,000 requests an hour), or set DEVENV_PYTHON_MIRROR to a mirror with releases.json",
    cause: error,
  });
}
