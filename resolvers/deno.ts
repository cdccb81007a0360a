import { DevenvError, HttpStatusError } from "../errors.js";
import { taggedReleases } from "./github.js";
import { toolVersions, versionFile } from "./pin-files.js";
import { isValidSemverSpec, plainSemver } from "./pick.js";
import { platforms, rebaseUrl, type Artifact, type Platform, type Resolver } from "./types.js";

const upstream = "https://dl.deno.land";

/** `release/v{V}/deno-{triple}.zip`, a bare `deno` with no top directory, and `.sha256sum` beside it. */
const triples: Record<Platform, string> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
};

const canonicalUrl = (version: string, platform: Platform) => `${upstream}/release/v${version}/deno-${triples[platform]}.zip`;

export const deno = {
  name: "deno",

  description: "JavaScript and TypeScript runtime (dl.deno.land)",

  upstream,

  mirrorVariable: "DEVENV_DENO_MIRROR",

  archiveUrl: (version, platform) => canonicalUrl(version, platform),

  binaries: ["deno"],

  /** dvm's `.dvmrc`, then asdf's. */
  pins: [versionFile(".dvmrc", (v) => v.replace(/^v/, "")), toolVersions(["deno"])],

  /** A bare `deno`, no top directory. */
  unpack: () => ({ format: "zip", strip: 0 }),

  isValidSpec: (spec) => isValidSemverSpec(spec.replace(/^v/, ""), plainSemver),

  /** Versions from the tags of denoland/deno (`v2.1.4`). */
  ...taggedReleases("deno", { repo: "denoland/deno", mirrorVariable: "DEVENV_DENO_MIRROR", pattern: /^v(\d+\.\d+\.\d+(?:-[\w.]+)?)$/ }),

  /** Each archive's `.sha256sum` (one small file a platform, fetched together, cached for good). */
  async artifacts(version, ctx) {
    const found: Partial<Record<Platform, Artifact>> = {};
    await Promise.all(
      platforms.map(async (platform) => {
        const url = `${rebaseUrl(canonicalUrl(version, platform), upstream, ctx.mirror)}.sha256sum`;
        let text: string;
        try {
          text = await ctx.fetch.text(url, { immutable: true, validate: (body) => checksumOf(body, url) });
        } catch (error) {
          if (error instanceof HttpStatusError && error.status === 404) return;
          throw error;
        }
        found[platform] = { url: canonicalUrl(version, platform), sha256: checksumOf(text, url) };
      }),
    );
    return found;
  },


  // deno must never offer to upgrade itself behind the lock's back; DENO_DIR stays the user's.
  activate: (entry) => ({ bin: [entry], env: { DENO_NO_UPDATE_CHECK: "1" } }),
} satisfies Resolver;

/** A `.sha256sum` holds the hash, as sha256sum prints it (`<hex>  <file>`) or alone. */
function checksumOf(text: string, url: string): string {
  const hex = /\b[0-9a-fA-F]{64}\b/.exec(text)?.[0];
  if (hex === undefined) throw new DevenvError("resolve-failed", `${url} holds no sha256`, { hint: "check the mirror (DEVENV_DENO_MIRROR): it should serve upstream's .sha256sum files as they are" });
  return hex.toLowerCase();
}
