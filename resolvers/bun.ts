import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { taggedReleases } from "./github.js";
import { packageJson, toolVersions, versionFile } from "./pin-files.js";
import { isValidSemverSpec, plainSemver } from "./pick.js";
import { parseShasums, platforms, type Artifact, type Platform, type Resolver } from "./types.js";

const upstream = "https://github.com/oven-sh/bun/releases/download";

/**
 * `bun-v{V}/bun-{os}-{arch}.zip`, holding `bun-{os}-{arch}/bun`. The x64 platforms
 * also have a `-baseline` build for CPUs without AVX2: the default is locked
 * unless devenv.ts asks for `{ version, variant: "baseline" }`.
 */
const assets: Record<Platform, string> = {
  "linux-x64": "bun-linux-x64.zip",
  "linux-arm64": "bun-linux-aarch64.zip",
  "darwin-x64": "bun-darwin-x64.zip",
  "darwin-arm64": "bun-darwin-aarch64.zip",
};

/** The asset of a platform and variant: only x64 has a baseline build; arm64 keeps its one build. */
function asset(platform: Platform, variant: string | undefined): string {
  return variant === "baseline" && platform.endsWith("-x64") ? assets[platform].replace(/\.zip$/, "-baseline.zip") : assets[platform];
}

const canonicalUrl = (version: string, platform: Platform, variant?: string) => `${upstream}/bun-v${version}/${asset(platform, variant)}`;

export const bun = {
  name: "bun",

  description: "JavaScript runtime, bundler and package manager (oven-sh/bun)",

  upstream,

  mirrorVariable: "DEVENV_BUN_MIRROR",

  archiveUrl: (version, platform, variant) => canonicalUrl(version, platform, variant),

  variants: ["baseline"],

  binaries: ["bun"],

  pins: [versionFile(".bun-version", (v) => v.replace(/^v/, "")), toolVersions(["bun"]), packageJson((m) => /^bun@(\d[^+]*)/.exec(m.packageManager ?? "")?.[1])],

  isValidSpec: (spec) => isValidSemverSpec(spec.replace(/^v/, ""), plainSemver),

  /** Versions from the tags of oven-sh/bun (`bun-v1.1.30`); canary and other tags are not releases. */
  ...taggedReleases("bun", { repo: "oven-sh/bun", mirrorVariable: "DEVENV_BUN_MIRROR", pattern: /^bun-v(\d+\.\d+\.\d+(?:-[\w.]+)?)$/ }),

  /** From the release's SHASUMS256.txt: all four platforms, never downloading an archive. */
  async artifacts(version, ctx, variant) {
    const url = `${ctx.mirror ?? upstream}/bun-v${version}/SHASUMS256.txt`;
    const sums = parseShasums(await ctx.fetch.text(url, { immutable: true, validate: (text) => parseShasums(text, url) }), url);
    const found: Partial<Record<Platform, Artifact>> = {};
    for (const platform of platforms) {
      const sha256 = sums.get(asset(platform, variant));
      if (sha256) found[platform] = { url: canonicalUrl(version, platform, variant), sha256 };
    }
    return found;
  },


  activate: (entry) => ({ bin: [entry], env: {} }),

  /** bun's own installer links `bunx` to `bun`: bun runs as bunx when called by that name. */
  async fixup(dir) {
    await symlink("bun", join(dir, "bunx"));
    return [];
  },
} satisfies Resolver;
