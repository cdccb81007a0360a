import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import valid from "semver/functions/valid.js";
import { DevenvError, HttpStatusError } from "../errors.js";
import { githubRelease, githubTags, releaseTags, type Release } from "./github.js";
import { isStable, isValidSemverSpec, lockedCandidate, noMatch, pickVersion, specMatches, type Candidate } from "./pick.js";
import { packageJson, toolVersions, versionFile } from "./pin-files.js";
import { assetOf, checksumsOf, tagOf, type RecordAsset, type ToolRecord } from "./record.js";
import { platforms, rebaseUrl, type Artifact, type Platform, type ResolveContext, type Resolver } from "./types.js";

const github = "https://github.com";

/**
 * A version as semver compares it: upstream's spelling where it is semver, else a
 * release line written short (jq's `1.6` is 1.6.0). Anything else (`1.7rc1`) is no release.
 */
export const recordSemver = (version: string): string | undefined => valid(version) ?? (/^\d+(\.\d+)?$/.test(version) ? `${version}${".0".repeat(3 - version.split(".").length)}` : undefined);

/** Specs over versions as upstream writes them (`v1.2` is `1.2`): the same for every tool released as files. */
export const releaseSpecs: Pick<Resolver, "isValidSpec" | "matches" | "admits"> = {
  isValidSpec: (spec) => isValidSemverSpec(spec.replace(/^v/, ""), recordSemver),
  matches: (spec, release) => specMatches(spec.replace(/^v/, ""), release, recordSemver),
  admits: (spec, version) => {
    const release = lockedCandidate(version, recordSemver);
    return release !== undefined && specMatches(spec.replace(/^v/, ""), release, recordSemver);
  },
};

/** The version of `repo`'s latest release, where its tag names one and it is no pre-release: one request, no tag list. */
export async function latestStable(ctx: ResolveContext, repo: string, versionOfTag: (tag: string) => string | undefined): Promise<string | undefined> {
  const latest = await githubRelease(ctx, repo, "latest");
  const version = latest === undefined ? undefined : versionOfTag(latest.tag);
  return version !== undefined && isStable(recordSemver(version)!) ? version : undefined;
}

/**
 * A tool released as files, resolved from its record (resolvers/records/NAME.json):
 * versions from release tags (or a host's index), each platform's asset from the
 * record's templates, and its sha256 from, in order, upstream's checksum file, GitHub's
 * digest of the asset, or a download hashed once at lock time (docs/spec.md §3).
 */
export function recordResolver(name: string, record: ToolRecord): Resolver {
  const versionsRepo = record.versionsFrom !== undefined && "github" in record.versionsFrom ? record.versionsFrom.github : record.repo;
  const tagRules = record.versionsFrom !== undefined && "github" in record.versionsFrom ? [{ tag: record.versionsFrom.tag }] : record.tags;
  const tagPatterns = tagRules.map(({ tag }) => new RegExp(`^${tag.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace("{version}", "(.+)")}$`));
  /** The version a tag is the release of, if it is one: the tag the version maps back to is this one. */
  const versionOfTag = (tag: string): string | undefined => {
    for (const pattern of tagPatterns) {
      const version = pattern.exec(tag)?.[1];
      if (version !== undefined && recordSemver(version) !== undefined && (record.versionsFrom !== undefined || tagOf(record, version) === tag)) return version;
    }
    return undefined;
  };
  const candidate = (version: string): Candidate => {
    const semver = recordSemver(version)!;
    return { version, semver, stable: isStable(semver) };
  };

  /** Where canonical URLs start, which the mirror variable's value replaces. */
  const upstream = record.mirror?.upstream ?? (record.repo !== undefined ? github : new URL(record.download!).origin);
  const mirrorVariable = record.mirror?.variable ?? (record.repo !== undefined ? "DEVENV_GITHUB_MIRROR" : undefined);
  /** A tool's own mirror answers for versions too (its releases.json); GitHub's API is then never asked. */
  const ownMirror = (ctx: ResolveContext) => record.mirror !== undefined && ctx.mirror !== undefined;

  async function releases(ctx: ResolveContext): Promise<Candidate[]> {
    if (ownMirror(ctx)) {
      const tags = await releaseTags(ctx, versionsRepo ?? "", record.mirror!.variable);
      return tags.flatMap((tag) => versionOfTag(tag) ?? []).map(candidate);
    }
    if (record.versionsFrom !== undefined && "json" in record.versionsFrom) {
      const url = record.versionsFrom.json;
      const data = (await ctx.fetch.json(url)) as { versions?: unknown } | null;
      const index = typeof data?.versions === "object" && data.versions !== null ? data.versions : data;
      if (typeof index !== "object" || index === null) throw new DevenvError("resolve-failed", `${url} is not ${name}'s release index`, { hint: "check the proxy between devenv and that host" });
      return Object.keys(index).filter((v) => recordSemver(v) !== undefined).map(candidate);
    }
    const tags = await githubTags(ctx, versionsRepo!);
    return tags.flatMap((tag) => versionOfTag(tag) ?? []).map(candidate);
  }

  /** Fetches a checksum file; undefined when upstream has none for this version (404). */
  async function checksumText(url: string, ctx: ResolveContext): Promise<string | undefined> {
    try {
      return await ctx.fetch.text(rebaseUrl(url, upstream, ctx.mirror), { immutable: true, validate: (body) => void firstSha(body, url) });
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The canonical URL of a file published beside `asset` (a checksum file). */
  const besideUrl = (asset: RecordAsset, file: string) => asset.url.slice(0, asset.url.length - encodeURI(asset.asset).length) + file;

  const resolver: Resolver = {
    name,
    description: record.description,
    upstream,
    ...(mirrorVariable !== undefined ? { mirrorVariable } : {}),
    ...(record.variants !== undefined ? { variants: Object.keys(record.variants) } : {}),
    binaries: Object.keys(record.bin).map((bin) => `.bin/${bin}`),
    pins: [
      ...(record.versionFiles ?? []).map((file) => versionFile(file, (v) => v.replace(/^v/, ""))),
      toolVersions([name, ...(record.aliases ?? [])]),
      ...(record.packageManager !== undefined ? [packageJson((m) => new RegExp(`^${record.packageManager}@(\\d[^+]*)`).exec(m.packageManager ?? "")?.[1])] : []),
    ],

    ...releaseSpecs,

    async resolve(spec, ctx) {
      const wanted = spec.replace(/^v/, "");
      // An exact version needs no list: its files say whether it exists.
      if (valid(wanted) !== null && record.repo !== undefined && !ownMirror(ctx)) return wanted;
      const latest = wanted === "latest" && record.repo !== undefined && record.versionsFrom === undefined && !ownMirror(ctx) ? await latestStable(ctx, record.repo, versionOfTag) : undefined;
      return latest ?? pickVersion(name, wanted, await releases(ctx), recordSemver);
    },
    releases,

    archiveUrl: (version, platform, variant) => assetOf(record, version, platform, variant)?.url ?? "",

    async artifacts(version, ctx, variant) {
      const tag = tagOf(record, version);
      const wanted = platforms.flatMap((platform) => {
        const asset = assetOf(record, version, platform, variant);
        return asset === undefined ? [] : [[platform, asset] as const];
      });
      const sums = checksumsOf(record, version);
      const releaseWide = new Map<string, Promise<Map<string, string> | undefined>>();
      let release: Promise<Release | undefined> | undefined;
      const computed = new Map<string, Promise<string | undefined>>();

      /** The sha256 of one asset, and where it came from; undefined where upstream did not build it. */
      async function shaOf(asset: RecordAsset): Promise<{ sha256: string; from: string } | undefined> {
        if (sums !== undefined) {
          const file = sums.file.replaceAll("{version}", version).replaceAll("{tag}", tag).replaceAll("{asset}", asset.asset);
          const url = besideUrl(asset, file);
          if (sums.file.includes("{asset}")) {
            const text = await checksumText(url, ctx);
            if (text !== undefined) return { sha256: firstSha(text, url), from: url };
          } else {
            if (!releaseWide.has(url)) releaseWide.set(url, checksumText(url, ctx).then((text) => (text === undefined ? undefined : shaLines(text, url))));
            const sha256 = (await releaseWide.get(url))?.get(asset.asset);
            if (sha256 !== undefined) return { sha256, from: url };
          }
        }
        if (record.repo !== undefined && !ownMirror(ctx)) {
          release ??= githubRelease(ctx, record.repo, tag);
          const found = await release;
          if (found === undefined) throw await unknownVersion();
          if (!found.assets.has(asset.asset)) return undefined;
          const digest = found.assets.get(asset.asset);
          if (digest !== undefined) return { sha256: digest, from: "github-digest" };
        }
        if (!computed.has(asset.url)) computed.set(asset.url, compute(asset));
        const sha256 = await computed.get(asset.url);
        return sha256 === undefined ? undefined : { sha256, from: "computed" };
      }

      async function compute(asset: RecordAsset): Promise<string | undefined> {
        if (ctx.hashOf === undefined) {
          throw new DevenvError("offline", `upstream publishes no sha256 for ${name} ${version} (${asset.asset}), and devenv computes one only when it may download (not under --frozen, --offline or CI)`, {
            hint: `run \`devenv lock\` once where it may download, review the result and commit devenv.lock`,
          });
        }
        try {
          return await ctx.hashOf(rebaseUrl(asset.url, upstream, ctx.mirror));
        } catch (error) {
          if (error instanceof HttpStatusError && error.status === 404) return undefined;
          throw error;
        }
      }

      async function unknownVersion(): Promise<DevenvError> {
        const listed = await releases(ctx);
        try {
          pickVersion(name, version, listed, recordSemver);
        } catch (error) {
          return error as DevenvError;
        }
        return noMatch(name, version, []);
      }

      const found: Partial<Record<Platform, Artifact>> = {};
      for (const [platform, asset] of wanted) {
        const sha = await shaOf(asset);
        if (sha !== undefined) found[platform] = { url: asset.url, sha256: sha.sha256, sha256From: sha.from };
      }
      if (Object.keys(found).length === 0 && (record.repo === undefined || ownMirror(ctx))) throw await unknownVersion();
      return found;
    },

    unpack(version, platform) {
      const asset = assetOf(record, version, platform);
      const binary = Object.keys(asset?.bin ?? record.bin)[0]!;
      return { format: asset?.format ?? "binary", strip: asset?.strip ?? 0, ...(asset?.format === "binary" || asset?.format === "gz" ? { binary } : {}) };
    },

    /** Only the record's binaries are on PATH, under the names it gives them: links in `.bin/`. */
    async fixup(dir, _entry, version, platform) {
      await mkdir(join(dir, ".bin"));
      const bins = assetOf(record, version, platform)?.bin ?? record.bin;
      for (const [bin, path] of Object.entries(bins)) await symlink(join("..", path === "." ? bin : path), join(dir, ".bin", bin));
      return [];
    },

    activate: (entry) => ({ bin: [`${entry}/.bin`], env: { ...record.env } }),
  };
  return resolver;
}

/** `<hex>  <name>` lines (one space or two, `*name` in binary mode, `./name`), by the file's base name. */
function shaLines(text: string, url: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(?:\.\/)?(\S.*?)\s*$/.exec(line);
    if (match?.[1] && match[2]) sums.set(match[2].split("/").pop()!, match[1].toLowerCase());
  }
  if (sums.size === 0) firstSha(text, url);
  return sums;
}

/** The one sha256 a per-asset checksum file holds, alone or as sha256sum prints it. */
function firstSha(text: string, url: string): string {
  const hex = /\b[0-9a-fA-F]{64}\b/.exec(text)?.[0];
  if (hex === undefined) throw new DevenvError("resolve-failed", `${url} holds no sha256`, { hint: "check the mirror (DEVENV_GITHUB_MIRROR, or the tool's own): it should serve upstream's checksum files as they are" });
  return hex.toLowerCase();
}
