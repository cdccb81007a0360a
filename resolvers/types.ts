import { DevenvError } from "../errors.js";
import type { Candidate } from "./pick.js";
import type { PinSource } from "./pin-files.js";

/** The platforms a lock records, named as SPEC §3 names them. */
export const platforms = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"] as const;
export type Platform = (typeof platforms)[number];

/** One downloadable archive: where upstream publishes it and the sha256 upstream publishes for it. */
export interface Artifact {
  readonly url: string;
  readonly sha256: string;
  /**
   * Where the sha256 came from, for a tool whose upstream may publish none (a record's):
   * the canonical URL of upstream's checksum file, `github-digest` (GitHub's own digest of
   * the release asset), or `computed` (devenv hashed the download when it locked: trust on
   * first use). Absent: upstream's checksum file, as for node, python and go.
   */
  readonly sha256From?: string;
}

/** How an archive is packed (docs/spec.md §4): from the record, or from its canonical URL's name. */
export type ArchiveFormat = "tar.gz" | "tar.xz" | "zip" | "binary" | "gz";

/** How an archive becomes an entry: its format, the top directories left out, and a lone binary's name. */
export interface Unpack {
  readonly format: ArchiveFormat;
  /** 1: the archive holds one top-level directory, whose contents are the entry; 0: its contents are. */
  readonly strip: 0 | 1;
  /** For a bare or gzip-compressed binary: the name it gets in the entry. */
  readonly binary?: string;
}

/** A format by the archive's name: an archive's extension, else a bare binary. */
export function formatOfName(name: string): ArchiveFormat {
  if (/\.(tar\.gz|tgz)$/.test(name)) return "tar.gz";
  if (/\.(tar\.xz|txz)$/.test(name)) return "tar.xz";
  if (name.endsWith(".zip")) return "zip";
  if (name.endsWith(".gz")) return "gz";
  return "binary";
}

/** How an unpacked store entry is used. */
export interface Activation {
  /** Directories to put on PATH, in order. */
  readonly bin: string[];
  readonly env: Record<string, string>;
}

/** Where a toolchain writes for the user: see Resolver.userPrefix. */
export interface UserPrefix extends Activation {
  /**
   * A directory ahead of the toolchain on PATH holding a link to the entry's binary `link`,
   * for a program that writes beside wherever it was found on PATH (`corepack enable`):
   * found there, it writes into the project instead of the store. devenv lets nothing
   * else live there but links into the store.
   */
  readonly beside?: { readonly dir: string; readonly link: string };
}

export interface FetchOptions {
  readonly headers?: Record<string, string>;
  /** The file never changes once published (a release's checksums): fetched once, then always read from the cache. */
  readonly immutable?: boolean;
  /** Throws when the body is not what was asked for; such a body is never cached. */
  readonly validate?: (body: string) => void;
  /** Ask again even for an immutable file (with its validators, so an unchanged one costs a 304): `devenv lock TOOL` repairing a lock. */
  readonly recheck?: boolean;
}

/** The only way a resolver reaches the network. */
export interface MetadataFetcher {
  text(url: string, options?: FetchOptions): Promise<string>;
  json(url: string, options?: FetchOptions): Promise<unknown>;
}

export interface ResolveContext {
  /** Replaces the tool's upstream base (its mirror variable), without a trailing slash. */
  readonly mirror: string | undefined;
  readonly fetch: MetadataFetcher;
  readonly githubToken: string | undefined;
  /**
   * The sha256 of the file at `url`, downloaded once and hashed, for an upstream that
   * publishes none (trust on first use). Undefined where devenv never computes one
   * (--frozen, CI, --offline): the lock must then already hold it.
   */
  readonly hashOf: ((url: string) => Promise<string>) | undefined;
}

/** Pure: no disk, no process.env, no store. Network only through ctx. */
export interface Resolver {
  readonly name: string;
  /** Syntax only, no network: is this a spec the resolver understands? */
  isValidSpec(spec: string): boolean;
  /** '20' | '^3.12' | 'lts' → exact version, from the upstream index. */
  resolve(spec: string, ctx: ResolveContext): Promise<string>;
  /** Every release upstream lists (`devenv versions`), from the same cached index as `resolve`. */
  releases(ctx: ResolveContext): Promise<Candidate[]>;
  /** Does a release satisfy a valid spec, as `resolve` reads it? */
  matches(spec: string, release: Candidate): boolean;
  /**
   * Offline: may a lock pin `version` for `spec`? A lock whose version its spec does not
   * admit (an edit of devenv.lock alone) is stale. Where only the index could tell
   * (node's LTS codenames), as much as the version's spelling shows.
   */
  admits(spec: string, version: string): boolean;
  /**
   * exact version → { url, sha256 } per platform, from upstream checksum data; never downloads the archive.
   * `variant`: one of `variants`, where upstream builds a platform more than one way.
   */
  artifacts(version: string, ctx: ResolveContext, variant?: string): Promise<Partial<Record<Platform, Artifact>>>;
  /** Other builds a user may choose (`{ version: "1.2", variant: "baseline" }` in devenv.ts); the default is upstream's default. */
  readonly variants?: readonly string[];
  /** Where upstream publishes the archives: the base of every canonical URL, which the mirror variable's value replaces. */
  readonly upstream: string;
  /** The variable naming a mirror of `upstream` (DEVENV_NODE_MIRROR; DEVENV_GITHUB_MIRROR for every release on GitHub); none where a host has no mirror. */
  readonly mirrorVariable?: string;
  /** One line for `devenv search` and the docs' tool table. */
  readonly description?: string;
  /** The canonical URL of a version's archive for a platform, where it follows from those two alone. */
  archiveUrl?(version: string, platform: Platform, variant?: string): string;
  /**
   * Is `url` the canonical upstream URL of this tool's `version` for `platform`? Only
   * for a toolchain whose URL does not follow from them alone (python's names a release tag).
   */
  isCanonicalUrl?(url: string, version: string, platform: Platform): boolean;
  /** Files of other version managers that `devenv init` reads a pin from, first found first. */
  readonly pins: readonly PinSource[];
  /** Entry-relative paths an unpacked entry must have to be this tool at all: checked at install and before every use. */
  readonly binaries: readonly string[];
  /**
   * How `version`'s archive for `platform` unpacks. Without it: the format of the canonical
   * URL's name, its single top-level directory stripped.
   */
  unpack?(version: string, platform: Platform, url: string): Unpack;
  /** How an unpacked entry is used: bin dirs on PATH and extra variables (go: GOROOT, GOTOOLCHAIN). */
  activate(entry: string): Activation;
  /**
   * Where the toolchain writes for the user (`npm install -g`, `go install`, python's
   * bytecode cache): `dir`, the project's own writable prefix, so that nobody, root
   * included, ever writes into the store. Its bin dirs go on PATH after the toolchain's,
   * so nothing installed there shadows what the lock pins.
   */
  userPrefix?(dir: string): UserPrefix;
  /**
   * Install time, not resolve time: adjusts a freshly unpacked archive in `dir`
   * (still writable, not yet in the store) that will live at `entry`.
   * Returns the entry-relative paths of the files it rewrote.
   */
  fixup?(dir: string, entry: string, version: string, platform: Platform): Promise<string[]>;
}

/**
 * Is `url` where upstream publishes `tool`'s `version` for `platform`? A lock entry
 * pointing anywhere else is refused: the lock pins which upstream file, never where devenv connects.
 */
export function isCanonicalUrl(resolver: Resolver, url: string, version: string, platform: Platform, variant?: string): boolean {
  if (resolver.isCanonicalUrl) return resolver.isCanonicalUrl(url, version, platform);
  return url === resolver.archiveUrl?.(version, platform, variant);
}

/** How `url`'s archive unpacks: as the resolver says, else by the URL's name with its top directory stripped. */
export function unpackOf(resolver: Resolver, url: string, version: string, platform: Platform): Unpack {
  return resolver.unpack?.(version, platform, url) ?? { format: formatOfName(new URL(url).pathname), strip: 1 };
}

/** Where to fetch a canonical URL: on the mirror, which serves upstream's layout, when one is set. */
export function fetchUrl(resolver: Resolver, url: string, mirror: string | undefined): string {
  return rebaseUrl(url, resolver.upstream, mirror);
}

/** Moves a canonical upstream URL onto a mirror that serves the same layout. */
export function rebaseUrl(url: string, upstream: string, mirror: string | undefined): string {
  if (mirror === undefined || !url.startsWith(upstream)) return url;
  return mirror + url.slice(upstream.length);
}

/**
 * Parses `<hex>  <name>` lines (SHASUMS256.txt, SHA256SUMS). Binary-mode `*name` is accepted too.
 * A file without one such line (an empty body, an HTML error page) is an error naming `url`.
 */
export function parseShasums(text: string, url: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S.*?)\s*$/.exec(line);
    if (match?.[1] && match[2]) sums.set(match[2], match[1].toLowerCase());
  }
  if (sums.size === 0) {
    throw new DevenvError("resolve-failed", `${url} holds no checksums (${text.trim() === "" ? "it is empty" : "no line reads <sha256>  <file>"})`, {
      hint: "check the mirror (DEVENV_*_MIRROR): it should serve upstream's checksum file as it is",
    });
  }
  return sums;
}
