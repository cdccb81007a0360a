import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpStatusError } from "../download/http.js";
import { DevenvError } from "../errors.js";
import { isValidSemverSpec, noMatch, pickVersion, type Candidate } from "./pick.js";
import { parseShasums, rebaseUrl, type Artifact, type Platform, type ResolveContext, type Resolver } from "./types.js";

const upstream = "https://github.com/astral-sh/python-build-standalone/releases/download";
const releasesApi = "https://api.github.com/repos/astral-sh/python-build-standalone/releases";

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

/** Release tags newest first, each with what it builds for our platforms; tags without SHA256SUMS are skipped. */
async function* walkTags(ctx: ResolveContext): AsyncGenerator<{ tag: string; builds: TagBuilds }> {
  const base = ctx.mirror ?? upstream;
  for (const tag of await releaseTags(ctx)) {
    let sums: Map<string, string>;
    try {
      sums = parseShasums(await ctx.fetch.text(`${base}/${tag}/SHA256SUMS`));
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) continue;
      throw error;
    }
    yield { tag, builds: tagBuilds(tag, sums) };
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

/** `{mirror}/releases.json`, or the GitHub releases API, page by page. */
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
    let releases: unknown;
    try {
      releases = await ctx.fetch.json(`${releasesApi}?per_page=100&page=${page}`, headers);
    } catch (error) {
      throw rateLimited(error) ?? error;
    }
    if (!Array.isArray(releases)) throw new DevenvError("resolve-failed", `${releasesApi} did not answer a list of releases`, { hint: "set DEVENV_PYTHON_MIRROR to a mirror" });
    tags.push(...releases.map((r: { tag_name?: unknown }) => r.tag_name).filter((t): t is string => typeof t === "string"));
    if (releases.length < 100) return tags;
  }
}

function rateLimited(error: unknown): DevenvError | undefined {
  if (!(error instanceof HttpStatusError) || (error.status !== 403 && error.status !== 429) || error.headers["x-ratelimit-remaining"] !== "0") return undefined;
  return new DevenvError("network", `GitHub's API rate limit is exhausted (${error.url} answered ${error.status})`, {
    hint: "set GITHUB_TOKEN, or set DEVENV_PYTHON_MIRROR to a mirror with releases.json",
    cause: error,
  });
}
