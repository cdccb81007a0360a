import { lstatSync, readdirSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DevenvError, HttpStatusError } from "../errors.js";
import { githubRelease, githubTags, type Release } from "./github.js";
import { latestStable, recordSemver, releaseSpecs } from "./from-record.js";
import { isStable, pickVersion, type Candidate } from "./pick.js";
import { formatOfName, platforms, rebaseUrl, type Artifact, type Platform, type ResolveContext, type Resolver } from "./types.js";

const github = "https://github.com";

/** The object form's options of a `github:` tool (config/define.ts, GithubSpec). */
export interface GithubOptions {
  /** Narrows each platform's candidates: a glob (`*`) with `{version}`, `{os}` (linux, darwin) and `{arch}` (x64, arm64). */
  readonly asset?: string | undefined;
  /** Programs to put on PATH: paths inside the archive (below its one top directory, if it has one). */
  readonly bin?: readonly string[] | undefined;
}

/** Words in an asset's name, by what they say (docs/spec.md §3, `github:`). */
const osWords: Record<"linux" | "darwin", RegExp> = { linux: /linux/i, darwin: /darwin|macos|apple|osx/i };
const archWords: Record<"x64" | "arm64", RegExp> = { x64: /x86[_-]64|amd64|x64/i, arm64: /aarch64|arm64/i };
/** Never an asset to run: checksums, signatures, SBOMs, packages, other systems and architectures. */
const notAProgram = /(\.(sha256|sha512|sha256sum|sha512sum|md5|sig|asc|pem|crt|cert|sbom|spdx|json|txt|deb|rpm|apk|msi|pkg|dmg|exe|zst|bz2|7z|b3|intoto\.jsonl)$)|checksums|sbom|\bwindows\b|win32|win64|android|freebsd|netbsd|openbsd|illumos|solaris|\bi[36]86\b|\b386\b|armv[5-7]|armhf|ppc64|s390x|riscv|mips|loong/i;
/** Preferred, where a platform has one build in several formats. */
const formatRank = { "tar.gz": 0, "tar.xz": 0, zip: 1, binary: 2, gz: 3 } as const;

/** The version a tag names: its trailing version (`v8.6.0`, `jq-1.7.1`, `@biomejs/biome@2.6.9`). */
const versionOfTag = (tag: string): string | undefined => {
  const version = /^\D*?(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)$/.exec(tag)?.[1];
  return version !== undefined && recordSemver(version) !== undefined ? version : undefined;
};

/** A lone program's name, from its asset's: `shfmt_v3.13.0_linux_amd64` is shfmt, `biome-linux-x64` biome. */
const programName = (asset: string, fallback: string) => {
  const name = asset.replace(/\.gz$/, "").split(/[-_.]/)[0] ?? "";
  // It names a file in the entry: a word, never a path, whatever a lock's URL says.
  return /^\w[\w+]*$/.test(name) ? name : fallback;
};

/** Each platform's asset among a release's names; throws naming the candidates where it cannot choose. */
export function chooseAssets(tool: string, version: string, names: readonly string[], options: GithubOptions): Partial<Record<Platform, string>> {
  const chosen: Partial<Record<Platform, string>> = {};
  const ambiguous: string[] = [];
  for (const platform of platforms) {
    const [os, arch] = platform.split("-") as ["linux" | "darwin", "x64" | "arm64"];
    const pattern = options.asset === undefined ? undefined : globOf(options.asset.replaceAll("{version}", version).replaceAll("{os}", os).replaceAll("{arch}", arch));
    let candidates = names.filter((name) => !notAProgram.test(name) && osWords[os].test(name) && (archWords[arch].test(name) || (os === "darwin" && /universal/i.test(name))) && (arch === "arm64" || !archWords.arm64.test(name)));
    if (pattern !== undefined) candidates = candidates.filter((name) => pattern.test(name));
    // linux-* is glibc Linux: a musl build only where it is the only one.
    if (os === "linux" && candidates.some((name) => !/musl/i.test(name))) candidates = candidates.filter((name) => !/musl/i.test(name));
    const best = Math.min(...candidates.map((name) => formatRank[formatOfName(name)]));
    candidates = candidates.filter((name) => formatRank[formatOfName(name)] === best);
    if (candidates.length === 1) chosen[platform] = candidates[0];
    else if (candidates.length > 1) ambiguous.push(`${platform}: ${candidates.join(", ")}`);
  }
  if (ambiguous.length > 0) {
    throw new DevenvError("resolve-failed", `${tool} ${version}: more than one asset fits (${ambiguous.join("; ")})`, {
      hint: `pick one with the object form: { version: "${version}", asset: "<a glob of its name, with {version}, {os}, {arch}>" }`,
    });
  }
  // Where upstream builds darwin-x64 and no darwin-arm64, Rosetta 2 runs the x64 build.
  if (chosen["darwin-arm64"] === undefined && chosen["darwin-x64"] !== undefined) chosen["darwin-arm64"] = chosen["darwin-x64"];
  if (Object.keys(chosen).length === 0) {
    throw new DevenvError("resolve-failed", `${tool} ${version}: no asset is a linux or darwin build for x64 or arm64 (it has ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""})`, {
      hint: `name it with the object form: { version: "${version}", asset: "<a glob of its name>" }`,
    });
  }
  return chosen;
}

const globOf = (glob: string) => new RegExp(`^${glob.replace(/[.+?^$()|[\]\\{}]/g, "\\$&").replaceAll("*", ".*")}$`);

/** A checksum file of the whole release, by the names projects give it. */
const releaseSums = /(^|[._-])(sha256sums?|checksums?|sha256)(\.txt)?$/i;

/**
 * Any repository's GitHub releases, as `github:OWNER/REPO`: versions from its tags, each
 * platform's asset chosen by the words in its name, its sha256 from a checksum file of the
 * release, GitHub's digest, or the download hashed once.
 */
export function githubRepoResolver(name: string, options: GithubOptions = {}): Resolver {
  const repo = name.slice("github:".length);
  const short = repo.split("/")[1]!;

  async function releases(ctx: ResolveContext): Promise<Candidate[]> {
    const seen = new Set<string>();
    return (await githubTags(ctx, repo)).flatMap((tag) => {
      const version = versionOfTag(tag);
      if (version === undefined || seen.has(version)) return [];
      seen.add(version);
      const semver = recordSemver(version)!;
      return [{ version, semver, stable: isStable(semver), tag } as Candidate];
    });
  }

  /** The tag `version` was released under: the tags list says. */
  async function tagOf(version: string, ctx: ResolveContext): Promise<string> {
    const tags = await githubTags(ctx, repo);
    const tag = tags.find((t) => versionOfTag(t) === version);
    if (tag === undefined) pickVersion(name, version, await releases(ctx), recordSemver);
    return tag ?? version;
  }

  const canonical = (tag: string, asset: string) => `${github}/${repo}/releases/download/${encodeURIComponent(tag)}/${asset}`;

  return {
    name,
    description: `the releases of github.com/${repo}`,
    upstream: github,
    mirrorVariable: "DEVENV_GITHUB_MIRROR",
    binaries: options.bin === undefined ? [".bin"] : [],
    pins: [],
    ...releaseSpecs,
    async resolve(spec, ctx) {
      const wanted = spec.replace(/^v/, "");
      const latest = wanted === "latest" ? await latestStable(ctx, repo, versionOfTag) : undefined;
      return latest ?? pickVersion(name, wanted, await releases(ctx), recordSemver);
    },
    releases,

    /** Any asset of a tag naming `version`, in this repository: which one, the lock says. */
    isCanonicalUrl(url, version) {
      const match = new RegExp(`^${github}/${repo.replace(/[.]/g, "\\.")}/releases/download/([^/]+)/([^/]+)$`).exec(url);
      if (!match) return false;
      try {
        // The asset is a file name: no `%2F`, no `..` that a URL parser would resolve against the path.
        return versionOfTag(decodeURIComponent(match[1]!)) === version && /^[\w+@-][\w.+@-]*$/.test(decodeURIComponent(match[2]!));
      } catch {
        return false;
      }
    },

    async artifacts(version, ctx) {
      const tag = await tagOf(version, ctx);
      const release: Release | undefined = await githubRelease(ctx, repo, tag);
      if (release === undefined) throw new DevenvError("resolve-failed", `github.com/${repo} has a tag ${tag} but no release of it`, { hint: `pin a version that has a release with files: \`devenv versions ${name}\`` });
      const names = [...release.assets.keys()];
      const chosen = chooseAssets(name, version, names, options);
      const sumsFile = names.find((n) => releaseSums.test(n) && !n.endsWith(".sig"));
      let sums: Map<string, string> | undefined;
      if (sumsFile !== undefined) {
        const url = canonical(tag, sumsFile);
        const text = await ctx.fetch.text(rebaseUrl(url, github, ctx.mirror), { immutable: true });
        sums = new Map([...text.matchAll(/^([0-9a-fA-F]{64})\s+\*?(?:\.\/)?(\S+)\s*$/gm)].map((m) => [m[2]!.split("/").pop()!, m[1]!.toLowerCase()]));
      }
      const found: Partial<Record<Platform, Artifact>> = {};
      const computed = new Map<string, string>();
      for (const [platform, asset] of Object.entries(chosen) as Array<[Platform, string]>) {
        const url = canonical(tag, asset);
        const listed = sums?.get(asset);
        if (listed !== undefined) {
          found[platform] = { url, sha256: listed, sha256From: canonical(tag, sumsFile!) };
          continue;
        }
        const perAsset = [`${asset}.sha256`, `${asset}.sha256sum`].find((n) => release.assets.has(n));
        if (perAsset !== undefined) {
          const text = await ctx.fetch.text(rebaseUrl(canonical(tag, perAsset), github, ctx.mirror), { immutable: true });
          const hex = /\b[0-9a-fA-F]{64}\b/.exec(text)?.[0];
          if (hex !== undefined) {
            found[platform] = { url, sha256: hex.toLowerCase(), sha256From: canonical(tag, perAsset) };
            continue;
          }
        }
        const digest = release.assets.get(asset);
        if (digest !== undefined) {
          found[platform] = { url, sha256: digest, sha256From: "github-digest" };
          continue;
        }
        if (ctx.hashOf === undefined) {
          throw new DevenvError("offline", `github.com/${repo} publishes no sha256 for ${asset}, and devenv computes one only when it may download (not under --frozen, --offline or CI)`, {
            hint: "run `devenv lock` once where it may download, review the result and commit devenv.lock",
          });
        }
        if (!computed.has(url)) {
          try {
            computed.set(url, await ctx.hashOf(rebaseUrl(url, github, ctx.mirror)));
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 404) continue;
            throw error;
          }
        }
        found[platform] = { url, sha256: computed.get(url)!, sha256From: "computed" };
      }
      return found;
    },

    unpack(_version, _platform, url) {
      const asset = decodeURIComponent(url.slice(url.lastIndexOf("/") + 1));
      return { format: formatOfName(asset), strip: 0, binary: programName(asset, short) };
    },

    async fixup(dir) {
      await linkPrograms(dir, short, options);
      return [];
    },

    activate: (entry) => ({ bin: options.bin === undefined ? [join(entry, ".bin")] : [...new Set(options.bin.map((path) => dirname(join(entryRoot(entry), path))))], env: {} }),
  };
}

/** The directory a github: archive's paths are relative to: its one top directory, if it has one. */
function entryRoot(entry: string): string {
  const top = readdirSync(entry).filter((name) => name !== ".bin");
  return top.length === 1 && lstatSync(join(entry, top[0]!)).isDirectory() ? join(entry, top[0]!) : entry;
}

/** Links every program of an unpacked release into `.bin/`: executables at its root or in a `bin/` directory. */
async function linkPrograms(dir: string, short: string, options: GithubOptions): Promise<void> {
  await mkdir(join(dir, ".bin"));
  if (options.bin !== undefined) return;
  const root = entryRoot(dir);
  const prefix = root === dir ? "" : `${root.slice(dir.length + 1)}/`;
  const programs: string[] = [];
  for (const sub of ["", "bin/"]) {
    let names: string[];
    try {
      names = readdirSync(join(root, sub));
    } catch {
      continue;
    }
    for (const file of names.sort()) {
      const stat = lstatSync(join(root, sub, file));
      if (stat.isFile() && (stat.mode & 0o111) !== 0) programs.push(`${prefix}${sub}${file}`);
    }
  }
  if (programs.length === 0) {
    throw new DevenvError("archive-invalid", `the release of ${short} holds no program at its top or in bin/`, { hint: 'name its programs with the object form: { version, bin: ["path/inside/the/archive"] }' });
  }
  for (const path of programs) {
    const link = join(dir, ".bin", path.split("/").pop()!);
    await symlink(join("..", path), link).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}
