import { DevenvError } from "../errors.js";
import { toolVersions } from "./pin-files.js";
import { isValidSemverSpec, lockedCandidate, pickVersion, specMatches, type Candidate } from "./pick.js";
import { platforms, type Artifact, type Platform, type Resolver } from "./types.js";

const upstreamIndex = "https://go.dev/dl/?mode=json&include=all";
const upstreamFiles = "https://dl.google.com/go";

/** go.dev's JSON (golang/website internal/dl): releases newest first; only the fields we use. */
interface GoRelease {
  version: string;
  stable: boolean;
  files: Array<{ filename: string; os: string; arch: string; sha256: string; kind: string }>;
}

const goPlatforms: Record<Platform, { os: string; arch: string }> = {
  "linux-x64": { os: "linux", arch: "amd64" },
  "linux-arm64": { os: "linux", arch: "arm64" },
  "darwin-x64": { os: "darwin", arch: "amd64" },
  "darwin-arm64": { os: "darwin", arch: "arm64" },
};

/**
 * Go's own spelling onto semver: `go1.20` (first releases before 1.21 have no `.0`),
 * `1.22.9`, `go1.23rc1` → `1.23.0-rc.1`.
 */
function toSemver(version: string): string | undefined {
  const match = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(version);
  if (!match) return undefined;
  const [, major, minor = "0", patch = "0", pre, n] = match;
  return `${major}.${minor}.${patch}${pre ? `-${pre}.${n}` : ""}`;
}

export const go = {
  name: "go",

  description: "The Go toolchain (go.dev)",

  upstream: upstreamFiles,

  mirrorVariable: "DEVENV_GO_MIRROR",

  archiveUrl(version, platform) {
    const { os, arch } = goPlatforms[platform];
    return `${upstreamFiles}/go${version}.${os}-${arch}.tar.gz`;
  },

  binaries: ["bin/go"],

  /**
   * go.mod as Go reads it: `toolchain go1.22.3` pins exactly; the `go 1.22` directive is a minimum (`>=1.22`:
   * any newer go builds the module); a go.mod without either still says the project is Go's (latest).
   */
  pins: [
    toolVersions(["golang", "go"]),
    { file: "go.mod", read: (text) => /^toolchain\s+go(\S+)/m.exec(text)?.[1] ?? ((minimum) => (minimum === undefined ? "latest" : `>=${minimum}`))(/^go\s+(\S+)/m.exec(text)?.[1]) },
  ],

  isValidSpec: (spec) => isValidSemverSpec(spec.replace(/^go/, ""), toSemver),

  async resolve(spec, ctx) {
    return pickVersion("go", spec.replace(/^go/, ""), await this.releases(ctx), toSemver);
  },

  async releases(ctx): Promise<Candidate[]> {
    return (await index(ctx)).map((r) => ({ version: r.version.replace(/^go/, ""), semver: toSemver(r.version)!, stable: r.stable }));
  },

  matches: (spec, release) => specMatches(spec.replace(/^go/, ""), release, toSemver),

  admits(spec, version) {
    const release = lockedCandidate(version, toSemver);
    return release !== undefined && this.matches(spec, release);
  },

  async artifacts(version, ctx) {
    const release = (await index(ctx)).find((r) => r.version === `go${version}`);
    const found: Partial<Record<Platform, Artifact>> = {};
    let unchecked = 0;
    for (const platform of platforms) {
      const { os, arch } = goPlatforms[platform];
      const file = release?.files.find((f) => f.kind === "archive" && f.os === os && f.arch === arch && f.filename.endsWith(".tar.gz"));
      // Old releases list their files with "sha256": "": with nothing to check an archive against, devenv never locks it.
      if (file && /^[0-9a-f]{64}$/i.test(file.sha256)) found[platform] = { url: `${upstreamFiles}/${file.filename}`, sha256: file.sha256.toLowerCase() };
      else if (file) unchecked++;
    }
    if (Object.keys(found).length === 0 && unchecked > 0) {
      throw new DevenvError("resolve-failed", `go ${version} has no published checksums, so devenv cannot pin it`, {
        hint: "pin a newer go release in devenv.ts",
      });
    }
    return found;
  },


  // GOTOOLCHAIN=local: a go.mod asking for a newer toolchain must not make go download one behind the lock's back.
  activate: (entry) => ({ bin: [`${entry}/bin`], env: { GOROOT: entry, GOTOOLCHAIN: "local" } }),

  /** `go install` puts binaries in GOBIN (else GOPATH/bin, shared by every project). */
  userPrefix: (dir) => ({ bin: [`${dir}/bin`], env: { GOBIN: `${dir}/bin` } }),
} satisfies Resolver;

async function index(ctx: Parameters<Resolver["resolve"]>[1]): Promise<GoRelease[]> {
  const url = ctx.mirror === undefined ? upstreamIndex : `${ctx.mirror}/index.json`;
  const data = await ctx.fetch.json(url);
  const valid = Array.isArray(data) && data.every((r) => typeof r?.version === "string" && typeof r.stable === "boolean" && Array.isArray(r.files));
  if (!valid) {
    throw new DevenvError("resolve-failed", `${url} is not go.dev's release JSON`, { hint: "check that DEVENV_GO_MIRROR serves index.json in go.dev's ?mode=json&include=all schema" });
  }
  return (data as GoRelease[]).filter((r) => toSemver(r.version) !== undefined);
}
