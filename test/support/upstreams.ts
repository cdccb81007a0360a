import { platforms, type Platform } from "../../resolvers/types.js";
import { sha256, type Mirror } from "./mirror.js";
import { buildTarball, fakeNodeTarball } from "./tarball.js";
import { buildZip } from "./zip.js";

/** Small unique bytes standing in for an archive no test installs: only its checksum matters. */
const placeholder = (name: string) => Buffer.from(`placeholder archive ${name}\n`);

export interface NodeRelease {
  readonly version: string;
  readonly lts?: string | false;
  /** Archives to publish; default: all four platforms. */
  readonly platforms?: readonly string[];
  /** Replaces the generated linux-x64 archive (a real node, a hostile archive). */
  readonly linuxX64?: Buffer;
}

/** Serves the nodejs.org/dist layout under `prefix`: index.json (newest first), v{V}/SHASUMS256.txt and the archives. */
export function publishNode(mirror: Mirror, releases: readonly NodeRelease[], prefix = ""): void {
  const sorted = [...releases].sort((a, b) => compareVersions(b.version, a.version));
  mirror.files.set(`${prefix}/index.json`, Buffer.from(JSON.stringify(sorted.map((r) => ({ version: `v${r.version}`, date: "2026-01-01", files: [], lts: r.lts ?? false, security: false })))));
  for (const release of sorted) {
    const lines: string[] = [];
    for (const platform of release.platforms ?? platforms) {
      const file = `node-v${release.version}-${platform}.tar.gz`;
      const archive = platform === "linux-x64" && release.linuxX64 ? release.linuxX64 : fakeNodeTarball(release.version, platform);
      mirror.files.set(`${prefix}/v${release.version}/${file}`, archive);
      lines.push(`${sha256(archive)}  ${file}`);
    }
    lines.push(`${"0".repeat(64)}  node-v${release.version}.tar.gz`);
    mirror.files.set(`${prefix}/v${release.version}/SHASUMS256.txt`, Buffer.from(`${lines.join("\n")}\n`));
  }
}

export interface GoRelease {
  /** Go's spelling without "go": "1.22.99", "1.20", "1.23rc1". */
  readonly version: string;
  /** Listed with `"sha256": ""`, as go.dev lists its oldest releases. */
  readonly unchecked?: boolean;
  readonly platforms?: readonly Platform[];
  /** Replaces the generated linux-amd64 archive. */
  readonly linuxX64?: Buffer;
}

const goPlatform: Record<Platform, [string, string]> = { "linux-x64": ["linux", "amd64"], "linux-arm64": ["linux", "arm64"], "darwin-x64": ["darwin", "amd64"], "darwin-arm64": ["darwin", "arm64"] };

/** A go/ tree whose bin/go answers `version` and `env NAME...` the way go does. */
export function fakeGoTarball(version: string): Buffer {
  const script = `#!/bin/sh\ncase "$1" in\n  version) echo "go version go${version} linux/amd64" ;;\n  env) shift; for name in "$@"; do eval "printf '%s\\\\n' \\"\\\${$name}\\""; done ;;\nesac\n`;
  return buildTarball([{ path: "go/" }, { path: "go/bin/" }, { path: "go/bin/go", mode: 0o755, content: script }, { path: "go/VERSION", content: `go${version}\n` }]);
}

/** Serves go.dev's JSON as `{prefix}/index.json` (in the order given: newest first) and the files by name. */
export function publishGo(mirror: Mirror, releases: readonly GoRelease[], prefix = "/go"): void {
  const index = releases.map(({ version, platforms: published = platforms, linuxX64, unchecked }) => {
    const files = published.map((platform) => {
      const [os, arch] = goPlatform[platform];
      const filename = `go${version}.${os}-${arch}.tar.gz`;
      const archive = platform === "linux-x64" ? (linuxX64 ?? fakeGoTarball(version)) : placeholder(filename);
      mirror.files.set(`${prefix}/${filename}`, archive);
      return { filename, os, arch, version: `go${version}`, sha256: unchecked ? "" : sha256(archive), size: archive.length, kind: "archive" };
    });
    // Upstream lists installers and source too; they must never be picked.
    files.push({ filename: `go${version}.darwin-arm64.pkg`, os: "darwin", arch: "arm64", version: `go${version}`, sha256: "1".repeat(64), size: 1, kind: "installer" });
    files.push({ filename: `go${version}.src.tar.gz`, os: "", arch: "", version: `go${version}`, sha256: "2".repeat(64), size: 1, kind: "source" });
    return { version: `go${version}`, stable: !/rc|beta/.test(version), files };
  });
  mirror.files.set(`${prefix}/index.json`, Buffer.from(JSON.stringify(index)));
}

export interface PythonBuild {
  readonly version: string;
  /** Default: all four. */
  readonly platforms?: readonly Platform[];
  /** Publish the install_only_stripped variant beside install_only (default true). */
  readonly stripped?: boolean;
  /** Replaces the generated x86_64-unknown-linux-gnu archives. */
  readonly linuxX64?: Buffer;
}

const pythonTriple: Record<Platform, string> = { "linux-x64": "x86_64-unknown-linux-gnu", "linux-arm64": "aarch64-unknown-linux-gnu", "darwin-x64": "x86_64-apple-darwin", "darwin-arm64": "aarch64-apple-darwin" };

/** A python/ tree as python-build-standalone ships it, with its `/install` build prefix left in sysconfig. */
export function fakePythonTarball(version: string, tag: string): Buffer {
  const line = version.split(".").slice(0, 2).join(".");
  const lib = `python/lib/python${line}`;
  return buildTarball([
    { path: "python/" },
    { path: "python/bin/" },
    { path: `python/bin/python${line}`, mode: 0o755, content: `#!/bin/sh\necho "Python ${version} (${tag})"\n` },
    { path: "python/bin/python3", type: "SymbolicLink", linkpath: `python${line}` },
    { path: "python/bin/pip3", mode: 0o755, content: `#!/bin/sh\necho "pip for ${version}"\n` },
    { path: "python/lib/" },
    { path: `${lib}/` },
    {
      path: `${lib}/_sysconfigdata__linux_x86_64-linux-gnu.py`,
      content: `build_time_vars = {'BINDIR': '/install/bin',\n 'CONFIG_ARGS': "'--prefix=/install' '--with-openssl=/tools/deps'",\n 'INCLUDEPY': '/install/include/python${line}',\n 'LDFLAGS': '-L/install/lib -L/tools/deps/lib',\n 'prefix': '/install',\n 'srcdir': '/build/install_tmp'}\n`,
    },
    { path: `${lib}/config-${line}-x86_64-linux-gnu/` },
    { path: `${lib}/config-${line}-x86_64-linux-gnu/Makefile`, content: `prefix=\t\t/install\nLIBDIR=\t\t/install/lib\n` },
  ]);
}

/**
 * Serves python-build-standalone's layout under `prefix`: releases.json (tags,
 * newest first), {tag}/SHA256SUMS and {tag}/{asset}, with `+` in asset names.
 */
export function publishPython(mirror: Mirror, releases: ReadonlyArray<{ tag: string; builds: readonly PythonBuild[] }>, prefix = "/python"): void {
  mirror.files.set(`${prefix}/releases.json`, Buffer.from(JSON.stringify(releases.map((r) => r.tag))));
  for (const { tag, builds } of releases) {
    const lines: string[] = [];
    const add = (asset: string, archive: Buffer) => {
      mirror.files.set(`${prefix}/${tag}/${asset}`, archive);
      lines.push(`${sha256(archive)}  ${asset}`);
    };
    for (const { version, platforms: published = platforms, stripped = true, linuxX64 } of builds) {
      for (const platform of published) {
        const stem = `cpython-${version}+${tag}-${pythonTriple[platform]}`;
        for (const variant of stripped ? ["install_only", "install_only_stripped"] : ["install_only"]) {
          const asset = `${stem}-${variant}.tar.gz`;
          add(asset, platform === "linux-x64" ? (linuxX64 ?? fakePythonTarball(version, `${tag}/${variant}`)) : placeholder(asset));
        }
      }
      // Builds devenv must never pick.
      add(`cpython-${version}+${tag}-x86_64-unknown-linux-gnu-freethreaded-install_only.tar.gz`, placeholder("ft"));
      add(`cpython-${version}+${tag}-x86_64-unknown-linux-musl-install_only.tar.gz`, placeholder("musl"));
      add(`cpython-${version}+${tag}-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst`, placeholder("full"));
    }
    mirror.files.set(`${prefix}/${tag}/SHA256SUMS`, Buffer.from(`${lines.sort().join("\n")}\n`));
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

const bunAssets: Record<Platform, string> = { "linux-x64": "bun-linux-x64", "linux-arm64": "bun-linux-aarch64", "darwin-x64": "bun-darwin-x64", "darwin-arm64": "bun-darwin-aarch64" };

/** bun's zip: `bun-linux-x64/bun`, here a script that answers --version and says how it was called. */
export function fakeBunZip(version: string): Buffer {
  const script = `#!/bin/sh\ncase "$1" in --version) echo "${version}" ;; *) echo "$(basename "$0") $*" ;; esac\n`;
  return buildZip([{ path: "bun-linux-x64/" }, { path: "bun-linux-x64/bun", mode: 0o755, content: script }]);
}

export interface ZipRelease {
  readonly version: string;
  readonly platforms?: readonly Platform[];
  /** Replaces the generated linux-x64 archive (the real binary, a hostile zip). */
  readonly linuxX64?: Buffer;
}

/** Serves oven-sh/bun's release layout under `prefix`: releases.json, bun-v{V}/SHASUMS256.txt and the zips. */
export function publishBun(mirror: Mirror, releases: readonly ZipRelease[], prefix = "/bun"): void {
  mirror.files.set(`${prefix}/releases.json`, Buffer.from(JSON.stringify(["canary", ...releases.map((r) => `bun-v${r.version}`)])));
  for (const { version, platforms: published = platforms, linuxX64 } of releases) {
    const lines = published.map((platform) => {
      const asset = `${bunAssets[platform]}.zip`;
      const archive = platform === "linux-x64" ? (linuxX64 ?? fakeBunZip(version)) : placeholder(asset);
      mirror.files.set(`${prefix}/bun-v${version}/${asset}`, archive);
      return `${sha256(archive)}  ${asset}`;
    });
    // The x64 baseline builds sit beside the default ones; the lock takes them only when asked.
    const baseline = fakeBunZip(`${version}-baseline`);
    mirror.files.set(`${prefix}/bun-v${version}/bun-linux-x64-baseline.zip`, baseline);
    lines.push(`${sha256(baseline)}  bun-linux-x64-baseline.zip`, `${sha256(placeholder("darwin-baseline"))}  bun-darwin-x64-baseline.zip`);
    mirror.files.set(`${prefix}/bun-v${version}/SHASUMS256.txt`, Buffer.from(`${lines.join("\n")}\n`));
  }
}

const denoTriples: Record<Platform, string> = { "linux-x64": "x86_64-unknown-linux-gnu", "linux-arm64": "aarch64-unknown-linux-gnu", "darwin-x64": "x86_64-apple-darwin", "darwin-arm64": "aarch64-apple-darwin" };

/** deno's zip: a bare `deno`, no top directory; here a script that answers --version and shows DENO_NO_UPDATE_CHECK. */
export function fakeDenoZip(version: string): Buffer {
  const script = `#!/bin/sh\ncase "$1" in --version) echo "deno ${version}" ;; *) echo "deno $* DENO_NO_UPDATE_CHECK=$DENO_NO_UPDATE_CHECK" ;; esac\n`;
  return buildZip([{ path: "deno", mode: 0o755, content: script }]);
}

/** Serves dl.deno.land's layout under `prefix`: releases.json (tags), release/v{V}/deno-{triple}.zip and .zip.sha256sum. */
export function publishDeno(mirror: Mirror, releases: readonly ZipRelease[], prefix = "/deno"): void {
  mirror.files.set(`${prefix}/releases.json`, Buffer.from(JSON.stringify(releases.map((r) => `v${r.version}`))));
  for (const { version, platforms: published = platforms, linuxX64 } of releases) {
    for (const platform of published) {
      const asset = `deno-${denoTriples[platform]}.zip`;
      const archive = platform === "linux-x64" ? (linuxX64 ?? fakeDenoZip(version)) : placeholder(asset);
      mirror.files.set(`${prefix}/release/v${version}/${asset}`, archive);
      mirror.files.set(`${prefix}/release/v${version}/${asset}.sha256sum`, Buffer.from(`${sha256(archive)}  ${asset}\n`));
    }
  }
}
