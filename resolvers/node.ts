import { DevenvError } from "../errors.js";
import { packageJson, toolVersions, versionFile } from "./pin-files.js";
import semverValid from "semver/functions/valid.js";
import { isStable, isValidSemverSpec, lockedCandidate, newestFirst, noMatch, pickVersion, plainSemver, specMatches, type Candidate } from "./pick.js";
import { parseShasums, platforms, type Artifact, type Platform, type Resolver } from "./types.js";

const upstream = "https://nodejs.org/dist";

/** An entry of https://nodejs.org/dist/index.json; only the fields we use. */
interface IndexEntry {
  version: string;
  lts: string | false;
}

const ltsSpec = /^lts(?:\/(.+))?$/i;

export const node = {
  name: "node",

  description: "JavaScript runtime (nodejs.org), with npm and corepack",

  upstream,

  mirrorVariable: "DEVENV_NODE_MIRROR",

  archiveUrl: (version, platform) => canonicalUrl(version, platform),

  binaries: ["bin/node"],

  /** nvm's files first, then asdf's, then package.json's engines. */
  pins: [versionFile(".nvmrc", nvmSpec), versionFile(".node-version", nvmSpec), toolVersions(["nodejs", "node"], nvmSpec), packageJson((m) => m.engines?.node)],

  isValidSpec(spec) {
    return /^lts(\/[a-z*]+)?$/i.test(spec) || isValidSemverSpec(spec.replace(/^v/, ""), plainSemver);
  },

  /** `lts` and nvm's `lts/*` take the newest LTS line; `lts/iron` names one. */
  async resolve(spec, ctx) {
    const releases = await this.releases(ctx);
    if (!ltsSpec.test(spec)) return pickVersion("node", spec.replace(/^v/, ""), releases, plainSemver);
    const newest = newestFirst(releases.filter((r) => this.matches(spec, r)))[0];
    if (newest) return newest.version;
    throw noMatch("node", spec, [...new Set(releases.flatMap((r) => (r.lts === undefined ? [] : [`lts/${r.lts}`])))].slice(0, 5));
  },

  async releases(ctx): Promise<Candidate[]> {
    return parseIndex(await ctx.fetch.json(`${ctx.mirror ?? upstream}/index.json`)).map((e) => ({
      version: e.version.slice(1),
      semver: e.version.slice(1),
      stable: true,
      ...(e.lts === false ? {} : { lts: String(e.lts).toLowerCase() }),
    }));
  },

  admits(spec, version) {
    const release = lockedCandidate(version, plainSemver);
    if (release === undefined) return false;
    // Every LTS line is an even major (argon, 4.x, onwards); which codename is the index's to say.
    if (ltsSpec.test(spec)) return release.stable && Number(release.semver.split(".")[0]) % 2 === 0;
    return this.matches(spec, release);
  },

  matches(spec, release) {
    const lts = ltsSpec.exec(spec);
    if (!lts) return specMatches(spec.replace(/^v/, ""), release, plainSemver);
    const codename = lts[1]?.toLowerCase();
    return release.lts !== undefined && (codename === undefined || codename === "*" || release.lts === codename);
  },

  async artifacts(version, ctx) {
    const url = `${ctx.mirror ?? upstream}/v${version}/SHASUMS256.txt`;
    // A published release's checksums never change.
    const sums = parseShasums(await ctx.fetch.text(url, { immutable: true, validate: (text) => parseShasums(text, url) }), url);
    const found: Partial<Record<Platform, Artifact>> = {};
    for (const platform of platforms) {
      const url = canonicalUrl(version, platform);
      const sha256 = sums.get(url.slice(url.lastIndexOf("/") + 1));
      if (sha256) found[platform] = { url, sha256 };
    }
    return found;
  },


  activate: (entry) => ({ bin: [`${entry}/bin`], env: {} }),

  /**
   * npm's global prefix; and corepack, found first in a directory of the project's own,
   * since `corepack enable` writes its yarn and pnpm shims beside the corepack it finds.
   */
  userPrefix: (dir) => ({ bin: [`${dir}/bin`], env: { npm_config_prefix: dir }, beside: { dir: `${dir}/corepack`, link: "bin/corepack" } }),
} satisfies Resolver;

function canonicalUrl(version: string, platform: Platform): string {
  return `${upstream}/v${version}/node-v${version}-${platform}.tar.gz`;
}

function parseIndex(data: unknown): IndexEntry[] {
  const valid = Array.isArray(data) && data.every((e) => typeof e?.version === "string" && semverValid(e.version) !== null);
  if (!valid) {
    throw new DevenvError("resolve-failed", "node index.json is not the nodejs.org release index", {
      hint: "check that DEVENV_NODE_MIRROR serves the layout of https://nodejs.org/dist",
    });
  }
  return (data as IndexEntry[]).filter((e) => isStable(e.version));
}

/** nvm's spellings: `v20.1.0`, `lts/*`, `lts/iron`, `node` and `stable` for the newest release. */
function nvmSpec(spec: string): string {
  if (spec === "node" || spec === "stable") return "latest";
  if (spec === "lts/*") return "lts";
  return spec.replace(/^v(?=\d)/, "");
}
