import { DevenvError } from "../errors.js";
import { formatOfName, platforms, type ArchiveFormat, type Platform } from "./types.js";
import lt from "semver/functions/lt.js";
import coerce from "semver/functions/coerce.js";

/**
 * A tool released as files is data, not code: one record, `resolvers/records/NAME.json`
 * (README, "Tools"). Its versions come from release tags (`tags`) or a host's index
 * (`versionsFrom`); each platform's asset name comes from one template (`asset`, with
 * upstream's own spellings of the OS and architecture), with overrides per platform and
 * for version ranges where upstream named things otherwise; `bin` says which files go on
 * PATH under which names.
 */
export interface ToolRecord {
  readonly description: string;
  /** OWNER/REPO on GitHub: tags from its API, assets at https://github.com/OWNER/REPO/releases/download/TAG/ASSET. */
  readonly repo?: string;
  /** Elsewhere: the asset's URL, a template with `{version}`, `{tag}` and `{asset}`. */
  readonly download?: string;
  /** Where versions come from when not the repo's tags: another repository's tags, or a host's JSON index. */
  readonly versionsFrom?: { readonly github: string; readonly tag: string } | { readonly json: string };
  /** Other names users write (asdf's plugin names, mise's): `github-cli` for gh. */
  readonly aliases?: readonly string[];
  /** Tag templates (`v{version}`), each for a range of versions where upstream's naming changed (`from` inclusive, `until` exclusive). */
  readonly tags: ReadonlyArray<{ readonly tag: string; readonly from?: string; readonly until?: string }>;
  readonly asset: string;
  readonly os: Readonly<Record<"linux" | "darwin", string>>;
  readonly arch: Readonly<Record<"x64" | "arm64", string>>;
  /** Per platform: other spellings or another asset, or null where upstream builds none. */
  readonly platforms?: PlatformOverrides;
  /** Older versions named otherwise: the first entry whose `until` the version is below applies; what it sets replaces the base. */
  readonly assetsByVersion?: ReadonlyArray<AssetRange>;
  readonly format?: ArchiveFormat;
  /** Leading directories the archive holds its files under (1: a single top directory). */
  readonly strip?: 0 | 1;
  /** Name on PATH -> path in the unpacked archive; "." for a bare binary, the file itself. */
  readonly bin: Readonly<Record<string, string>>;
  /** Where upstream publishes sha256s: a release-wide file or one per asset (`{asset}.sha256`); none: GitHub's digest, else computed once. */
  readonly checksums?: Checksums;
  readonly checksumsByVersion?: ReadonlyArray<{ readonly until: string; readonly checksums: Checksums | null }>;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A mirror variable of the tool's own, from before there were records (DEVENV_BUN_MIRROR): its value
   * replaces `upstream`, and versions come from its `releases.json`. Without one, a tool on GitHub has
   * DEVENV_GITHUB_MIRROR and a tool elsewhere none.
   */
  readonly mirror?: { readonly variable: string; readonly upstream: string };
  /** Other builds a user may choose (`{ version, variant }`): per platform, another asset. */
  readonly variants?: Readonly<Record<string, { readonly platforms: PlatformOverrides }>>;
  /** Files whose first line pins the version (`.bun-version`), for `devenv init`. */
  readonly versionFiles?: readonly string[];
  /** package.json's `packageManager: "NAME@VERSION"` pins it (bun). */
  readonly packageManager?: string;
}

type PlatformOverrides = Readonly<Partial<Record<Platform, { readonly asset?: string; readonly os?: string; readonly arch?: string } | null>>>;
interface AssetRange {
  readonly until: string;
  readonly asset?: string;
  readonly os?: Readonly<Record<"linux" | "darwin", string>>;
  readonly arch?: Readonly<Record<"x64" | "arm64", string>>;
  readonly platforms?: PlatformOverrides;
  readonly format?: ArchiveFormat;
  readonly strip?: 0 | 1;
  readonly bin?: Readonly<Record<string, string>>;
}
interface Checksums {
  readonly file: string;
  readonly format?: "sha256sum" | "bare";
}

/** What one platform of one version is: the asset's name and canonical URL, how to unpack it, what goes on PATH. */
export interface RecordAsset {
  readonly asset: string;
  /** GitHub's release download (the tag URL-encoded where it holds `@` or `/`), or the host's template filled in. */
  readonly url: string;
  readonly format: ArchiveFormat;
  readonly strip: 0 | 1;
  readonly bin: Readonly<Record<string, string>>;
}

const formats: readonly ArchiveFormat[] = ["tar.gz", "tar.xz", "zip", "binary", "gz"];

/** A version as semver compares it: jq's `1.7` is 1.7.0. */
const comparable = (version: string) => coerce(version, { loose: true })?.version ?? "0.0.0";
const below = (version: string, bound: string) => lt(comparable(version), comparable(bound));

/** The tag `version` was released under. */
export function tagOf(record: ToolRecord, version: string): string {
  const rule = record.tags.find((t) => (t.from === undefined || !below(version, t.from)) && (t.until === undefined || below(version, t.until))) ?? record.tags.at(-1)!;
  return rule.tag.replaceAll("{version}", version);
}

/** Each platform's asset of `version`, or undefined where upstream builds none. */
export function assetOf(record: ToolRecord, version: string, platform: Platform, variant?: string): RecordAsset | undefined {
  const range = record.assetsByVersion?.find((r) => below(version, r.until));
  const overrides = range?.platforms ?? record.platforms ?? {};
  const chosen = variant === undefined ? undefined : record.variants?.[variant]?.platforms;
  const override = chosen !== undefined && platform in chosen ? chosen[platform] : overrides[platform];
  if (override === null) return undefined;
  const [os, arch] = platform.split("-") as ["linux" | "darwin", "x64" | "arm64"];
  const tag = tagOf(record, version);
  const fill = (template: string, encode: (tag: string) => string) =>
    template
      .replaceAll("{version}", version)
      .replaceAll("{tag}", encode(tag))
      .replaceAll("{os}", override?.os ?? (range?.os ?? record.os)[os])
      .replaceAll("{arch}", override?.arch ?? (range?.arch ?? record.arch)[arch]);
  const name = fill(override?.asset ?? range?.asset ?? record.asset, (t) => t);
  const url = record.download !== undefined ? fill(record.download, encodeURIComponent).replaceAll("{asset}", name) : `https://github.com/${record.repo}/releases/download/${encodeURIComponent(tag)}/${name}`;
  return { asset: name, url, format: range?.format ?? record.format ?? formatOfName(name), strip: range?.strip ?? record.strip ?? 0, bin: range?.bin ?? record.bin };
}

/** Where `version`'s sha256s are published, if anywhere. */
export function checksumsOf(record: ToolRecord, version: string): Checksums | undefined {
  const range = record.checksumsByVersion?.find((r) => below(version, r.until));
  return range === undefined ? record.checksums : (range.checksums ?? undefined);
}

/** A record as read from its JSON, checked field by field: an error names the record and the field. */
export function parseRecord(name: string, data: unknown): ToolRecord {
  const bad = (field: string, why: string) => new DevenvError("config-invalid", `the record of ${name}: ${field} ${why}`, { hint: `fix resolvers/records/${name}.json (resolvers/record.ts says what each field means)` });
  const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw bad("", "is not an object");
  const r = data as Record<string, unknown>;
  const known = ["description", "repo", "download", "versionsFrom", "aliases", "tags", "asset", "os", "arch", "platforms", "assetsByVersion", "format", "strip", "bin", "checksums", "checksumsByVersion", "env", "mirror", "variants", "versionFiles", "packageManager"];
  for (const key of Object.keys(r)) if (!known.includes(key)) throw bad(key, "is not a field of a record");
  if (!isText(r.description)) throw bad("description", "must be a line of text");
  if ((r.repo === undefined) === (r.download === undefined)) throw bad("repo", "or download: exactly one of them");
  if (r.repo !== undefined && !(isText(r.repo) && /^[\w.-]+\/[\w.-]+$/.test(r.repo))) throw bad("repo", "must be OWNER/REPO");
  if (r.download !== undefined && !(isText(r.download) && r.download.startsWith("https://") && r.download.includes("{asset}"))) throw bad("download", "must be an https:// template with {asset}");
  if (r.download !== undefined && r.versionsFrom === undefined) throw bad("versionsFrom", "is needed with download");
  if (!Array.isArray(r.tags) || r.tags.length === 0 || !r.tags.every((t) => isText((t as { tag?: unknown }).tag) && (t as { tag: string }).tag.includes("{version}"))) throw bad("tags", "must be templates with {version}");
  if (!isText(r.asset)) throw bad("asset", "must be a template");
  for (const key of ["os", "arch"] as const) {
    const spellings = r[key] as Record<string, unknown> | undefined;
    const names = key === "os" ? ["linux", "darwin"] : ["x64", "arm64"];
    if (typeof spellings !== "object" || spellings === null || !names.every((n) => isText(spellings[n]))) throw bad(key, `must spell ${names.join(" and ")}`);
  }
  if (r.format !== undefined && !formats.includes(r.format as ArchiveFormat)) throw bad("format", `must be one of ${formats.join(", ")}`);
  if (r.strip !== undefined && r.strip !== 0 && r.strip !== 1) throw bad("strip", "must be 0 or 1 (one top-level directory)");
  const bin = r.bin as Record<string, unknown> | undefined;
  if (typeof bin !== "object" || bin === null || Object.keys(bin).length === 0 || !Object.entries(bin).every(([k, v]) => /^[\w.+-]+$/.test(k) && isText(v) && !v.startsWith("/") && !v.split("/").includes(".."))) throw bad("bin", "must map names to paths inside the archive");
  const mirror = r.mirror as { variable?: unknown; upstream?: unknown } | undefined;
  if (mirror !== undefined && !(isText(mirror.variable) && /^DEVENV_[A-Z0-9]+_MIRROR$/.test(mirror.variable) && isText(mirror.upstream) && mirror.upstream.startsWith("https://"))) throw bad("mirror", "must be { variable: DEVENV_NAME_MIRROR, upstream: https://... }");
  if (r.versionFiles !== undefined && !(Array.isArray(r.versionFiles) && r.versionFiles.every((f) => isText(f) && /^\.?[\w.-]+$/.test(f)))) throw bad("versionFiles", "must list file names");
  if (r.platforms !== undefined && !Object.keys(r.platforms as object).every((p) => (platforms as readonly string[]).includes(p))) throw bad("platforms", `may name only ${platforms.join(", ")}`);
  return data as ToolRecord;
}
