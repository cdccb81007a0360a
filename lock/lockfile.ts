import { join } from "node:path";
import { DevenvError, filesystemError, isErrno } from "../errors.js";
import { readLimited } from "../files/read-limited.js";
import { isToolName, resolverOf } from "../resolvers/registry.js";
import { isCanonicalUrl, platforms, type Artifact, type Platform } from "../resolvers/types.js";

export const lockFileName = "devenv.lock";

/** A lock of every toolchain devenv knows, for every platform, is a few KiB: far more is not a lock. */
export const maxLockBytes = 1 << 20;

export interface LockedTool {
  readonly spec: string;
  /** Written only for a build other than upstream's default (Resolver.variants). */
  readonly variant?: string;
  readonly version: string;
  readonly platforms: Partial<Record<Platform, Artifact>>;
}

export interface LockFile {
  readonly lockfileVersion: 1;
  readonly tools: Record<string, LockedTool>;
}

export function lockPath(root: string): string {
  return join(root, lockFileName);
}

/** What a lock (or a generation of one) that is no file devenv could have written gets. */
export const lockRefusal = { code: "lock-invalid", hint: "restore it from version control, or delete it and run `devenv lock`" } as const;

/** The lock as it is on disk, validated; undefined when there is none. */
export function readLock(root: string): { lock: LockFile; text: string } | undefined {
  const file = lockPath(root);
  let text: string;
  try {
    text = readLimited(file, maxLockBytes, lockRefusal).toString("utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw filesystemError(Object.assign(error as Error, { path: file })) ?? error;
  }
  return { lock: parseLock(text, file), text };
}

/** The same inputs give the same bytes: sorted keys, 2-space indent, trailing newline (SPEC §3). */
export function serializeLock(lock: LockFile): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

export function parseLock(text: string, file: string): LockFile {
  const invalid = (problem: string, hint = "restore it from version control, or delete it and run `devenv lock`") =>
    new DevenvError("lock-invalid", `${file}: ${problem}`, { hint });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(`not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(data)) throw invalid("not a lock object");
  if (data.lockfileVersion !== 1) {
    throw invalid(`unsupported lockfileVersion ${JSON.stringify(data.lockfileVersion)}`, "this devenv reads lockfileVersion 1; upgrade devenv or re-create the lock");
  }
  if (!isObject(data.tools)) throw invalid('"tools" must be an object');
  // Only what devenv writes: an unknown field would be kept and rewritten as it is, at any depth.
  const unknown = (key: string, value: Record<string, unknown>, known: readonly string[]) => {
    const extra = Object.keys(value).find((field) => !known.includes(field));
    if (extra !== undefined) throw invalid(`${key}${key === "" ? "" : "."}${extra}: unknown field`, "this devenv does not write it: restore devenv.lock from version control, or upgrade devenv if a newer one wrote it");
  };
  unknown("", data, ["lockfileVersion", "tools"]);
  for (const [name, tool] of Object.entries(data.tools)) {
    if (!isToolName(name)) throw invalid(`unknown tool "${name}"`);
    if (!isObject(tool) || typeof tool.spec !== "string" || typeof tool.version !== "string" || !isObject(tool.platforms)) {
      throw invalid(`tools.${name} needs "spec", "version" and "platforms"`);
    }
    unknown(`tools.${name}`, tool, ["spec", "version", "variant", "platforms"]);
    // The version names a store directory: it must never be able to say "..".
    if (!/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(tool.version) || tool.version.includes("..")) throw invalid(`tools.${name}.version ${JSON.stringify(tool.version)} is not a version`);
    if (tool.variant !== undefined && (typeof tool.variant !== "string" || !(resolverOf(name).variants ?? []).includes(tool.variant))) {
      throw invalid(`tools.${name}.variant ${JSON.stringify(tool.variant)} is not a ${name} build`);
    }
    const entries = Object.entries(tool.platforms);
    if (entries.length === 0) throw invalid(`tools.${name}.platforms is empty`);
    for (const [platform, artifact] of entries) {
      const key = `tools.${name}.platforms.${platform}`;
      if (!(platforms as readonly string[]).includes(platform)) throw invalid(`${key}: unknown platform; known: ${platforms.join(", ")}`);
      if (!isObject(artifact) || typeof artifact.url !== "string" || typeof artifact.sha256 !== "string") throw invalid(`${key} needs "url" and "sha256"`);
      if (!/^[0-9a-f]{64}$/.test(artifact.sha256)) throw invalid(`${key}.sha256 is not 64 lowercase hex characters`);
      unknown(key, artifact, ["url", "sha256", "sha256From"]);
      const from = artifact.sha256From;
      if (from !== undefined && from !== "github-digest" && from !== "computed" && !(typeof from === "string" && from.startsWith("https://") && URL.canParse(from))) {
        throw invalid(`${key}.sha256From ${JSON.stringify(from)} is not a checksum file's URL, "github-digest" or "computed"`);
      }
      if (!isCanonicalUrl(resolverOf(name), artifact.url, tool.version, platform as Platform, tool.variant as string | undefined)) {
        throw invalid(`${key}.url ${JSON.stringify(artifact.url)} is not where upstream publishes ${name} ${tool.version} for ${platform}`, `restore devenv.lock from version control, or run \`devenv lock ${name}\` to re-resolve it`);
      }
    }
  }
  return data as unknown as LockFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}
