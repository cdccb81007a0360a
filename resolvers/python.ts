import { existsSync } from "node:fs";
import { readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpStatusError } from "../errors.js";
import { releaseTags } from "./github.js";
import { toolVersions, versionFile } from "./pin-files.js";
import { isValidSemverSpec, noMatch, pickVersion, specMatches, type Candidate } from "./pick.js";
import { parseShasums, type Artifact, type Platform, type ResolveContext, type Resolver } from "./types.js";

const upstream = "https://github.com/astral-sh/python-build-standalone/releases/download";

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

const candidate = (version: string): Candidate => ({ version, semver: toSemver(version)!, stable: /^[\d.]+$/.test(version) });

/** What one release tag builds: version → platform → the preferred asset's name and checksum. */
type TagBuilds = Map<string, Map<Platform, { asset: string; sha256: string; stripped: boolean }>>;

export const python = {
  name: "python",

  description: "Python, as python-build-standalone builds it",

  upstream,

  mirrorVariable: "DEVENV_PYTHON_MIRROR",

  binaries: ["bin/python3"],

  pins: [versionFile(".python-version"), toolVersions(["python"])],

  isValidSpec: (spec) => isValidSemverSpec(spec, toSemver),

  /**
   * The same CPython version is re-shipped under many tags. Walking tags newest
   * first, the first tag that builds a matching version holds the newest one.
   */
  async resolve(spec, ctx) {
    const seen: Candidate[] = [];
    for await (const { builds } of walkTags(ctx)) {
      const candidates = [...builds.keys()].map(candidate);
      seen.push(...candidates.filter((c) => !seen.some((s) => s.version === c.version)));
      try {
        return pickVersion("python", spec, candidates, toSemver);
      } catch {
        // not in this tag: try an older one
      }
    }
    return pickVersion("python", spec, seen, toSemver);
  },

  /** Every version any tag builds: the whole walk, each tag's SHA256SUMS cached for good once read. */
  async releases(ctx) {
    const versions = new Set<string>();
    for await (const { builds } of walkTags(ctx)) for (const version of builds.keys()) versions.add(version);
    return [...versions].map(candidate);
  },

  matches: (spec, release) => specMatches(spec, release, toSemver),

  admits: (spec, version) => toSemver(version) !== undefined && specMatches(spec, candidate(version), toSemver),

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


  activate: (entry) => ({ bin: [`${entry}/bin`], env: {} }),

  /** Bytecode of the standard library (and the project's own) would otherwise land in the store's __pycache__. */
  userPrefix: (dir) => ({ bin: [], env: { PYTHONPYCACHEPREFIX: `${dir}/pycache` } }),

  /**
   * python-build-standalone leaves its build prefix `/install` in sysconfig data and
   * the config Makefile; point them at the entry so sysconfig and C extension builds work.
   * It ships `python3` and `pip3` only: `python` and `pip` name them too, as a venv's do,
   * or the system's (or pyenv's shim) would answer to the names people type.
   */
  async fixup(dir, entry) {
    for (const [name, target] of [["python", "python3"], ["pip", "pip3"]] as const) {
      if (existsSync(join(dir, "bin", target)) && !existsSync(join(dir, "bin", name))) await symlink(target, join(dir, "bin", name));
    }
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
  // Release tags are dates: newest first is a sort.
  const tags = (await releaseTags(ctx, "astral-sh/python-build-standalone", "DEVENV_PYTHON_MIRROR")).sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
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
