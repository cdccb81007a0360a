import type { Session as Context } from "./session.js";
import { DevenvError } from "../errors.js";
import { readLock, serializeLock, type LockedTool, type LockFile } from "../lock/lockfile.js";
import { lockDifferences } from "../lock/stale.js";
import { writeLock } from "../lock/write.js";
import { resolverOf, type ToolName } from "../resolvers/registry.js";
import { platforms as allPlatforms } from "../resolvers/types.js";
import { withProjectLock } from "./project-lock.js";
import { settleAll } from "./settle.js";
import type { Project } from "./open.js";
import type { ToolRequest } from "../config/validate.js";
import { rememberUpstreamSums } from "./upstream-sums.js";
import { resolveContext } from "./resolve-context.js";

export interface SyncOptions {
  /** Re-resolve these tools even when their lock entries are fresh (`devenv lock TOOL`). */
  readonly refresh?: readonly ToolName[];
}

/**
 * Brings devenv.lock in line with devenv.ts (SPEC §3): fresh entries are kept
 * byte for byte, missing or changed ones are resolved, removed ones dropped.
 * Under --frozen or CI, any difference is an error instead.
 */
/** A tool whose locked version changed: `from` is undefined for a tool new to the lock. */
export interface LockChange {
  readonly tool: string;
  readonly from: string | undefined;
  readonly to: string;
}

export async function syncLock(project: Project, ctx: Context, options: SyncOptions = {}): Promise<{ lock: LockFile; text: string; changes: LockChange[] }> {
  const current = readLock(project.root);
  // Fresh, and nothing to re-resolve: the common case reads the lock and takes no lock.
  if (current !== undefined && (options.refresh ?? []).length === 0 && lockDifferences(project.config, current.lock).length === 0) return { ...current, changes: [] };
  return withProjectLock(ctx.layout, project.root, () => syncLocked(project, ctx, options));
}

/** syncLock with the project's lock held: reads devenv.lock again, since a twin may have just written it. */
async function syncLocked(project: Project, ctx: Context, options: SyncOptions): Promise<{ lock: LockFile; text: string; changes: LockChange[] }> {
  const current = readLock(project.root);
  const differences = lockDifferences(project.config, current?.lock);
  // Loading on cd never writes a tracked file: what an edit of devenv.ts needs locked is said, not done.
  if (differences.length > 0 && ctx.loading && !ctx.frozen) {
    throw new DevenvError("lock-stale", `devenv.lock does not match devenv.ts, so nothing is loaded: ${differences.map((d) => d.reason).join("; ")}`, {
      hint: "run `devenv lock` (it shows what changes), then press Enter; loading never writes devenv.lock",
    });
  }
  if (differences.length > 0 && ctx.frozen) {
    throw new DevenvError("lock-stale", `devenv.lock does not match devenv.ts (frozen):\n${differences.map((d) => `  ${d.reason}`).join("\n")}`, {
      hint: "run `devenv lock` where the lock may change, and commit devenv.lock",
    });
  }
  const stale = new Set<string>([...differences.map((d) => d.tool), ...(options.refresh ?? [])]);
  const toResolve = project.config.tools.filter((t) => stale.has(t.name));
  if (toResolve.length > 0 && ctx.frozen) {
    throw new DevenvError("lock-stale", "devenv.lock may not change under --frozen (or CI)", { hint: "run `devenv lock` without --frozen, and commit devenv.lock" });
  }
  if (toResolve.length === 0 && differences.length === 0 && current) return { ...current, changes: [] };

  const resolved = await settleAll(toResolve, async ({ name, spec, variant }) => {
    ctx.log.debug(`resolving ${name} "${spec}"`);
    const locked = current?.lock.tools[name];
    const keep = locked?.spec === spec && locked.variant === variant ? locked : undefined;
    return [name, await lockTool({ name, spec, variant }, ctx, keep, options.refresh?.includes(name) ?? false)] as const;
  });
  const fresh = new Map<string, LockedTool>(resolved);
  const tools: Record<string, LockedTool> = {};
  for (const { name } of project.config.tools) {
    const entry = fresh.get(name) ?? current?.lock.tools[name];
    if (entry) tools[name] = entry;
  }
  const lock: LockFile = { lockfileVersion: 1, tools };
  writeLock(project.root, lock, current?.text);
  // lockTool hands back the locked entry itself when nothing moved: anything else is a change.
  const changes = resolved
    .filter(([tool, entry]) => entry !== current?.lock.tools[tool])
    .map(([tool, entry]) => ({ tool, from: current?.lock.tools[tool]?.version, to: entry.version }));
  return { lock, text: serializeLock(lock), changes };
}


/** Says what syncLock changed, the way lock, install, run and env report it. */
export function logChanges(ctx: Context, changes: readonly LockChange[]): void {
  for (const { tool, to } of changes) ctx.log.info(`locked ${tool} ${to}`);
}

/**
 * `locked`: the entry to keep, byte for byte, if the spec still resolves to its version.
 * `recheck`: the user named the tool; its entry is rebuilt from upstream's checksums even
 * then, so that a lock whose URL or sha256 was damaged by hand can be repaired.
 */
async function lockTool({ name, spec, variant, options }: ToolRequest, ctx: Context, locked: LockedTool | undefined, recheck: boolean): Promise<LockedTool> {
  const resolver = resolverOf(name, options);
  const version = await resolver.resolve(spec, resolveContext(resolver, ctx));
  if (locked?.version === version && !recheck) return locked;
  // A named tool's checksums are fetched again: one a mirror once served wrong is not believed for good.
  const platforms = await resolver.artifacts(version, resolveContext(resolver, ctx, recheck), variant);
  rememberUpstreamSums(ctx.layout, Object.values(platforms));
  const entry: LockedTool = { spec, ...(variant === undefined ? {} : { variant }), version, platforms };
  if (locked?.version === version && serializeLock({ lockfileVersion: 1, tools: { [name]: locked } }) === serializeLock({ lockfileVersion: 1, tools: { [name]: entry } })) return locked;
  if (Object.keys(platforms).length === 0) {
    throw new DevenvError("resolve-failed", `upstream publishes no ${name} ${version} archive for any supported platform`, {
      hint: `pin another ${name} version in devenv.ts`,
    });
  }
  const missing = allPlatforms.filter((platform) => platforms[platform] === undefined);
  if (missing.length > 0) ctx.log.warn(`${name} ${version} has no archive for ${missing.join(", ")}: devenv.lock works everywhere else`);
  // A github: tool's assets were chosen by their names: which ones, said so a wrong choice shows.
  if (name.startsWith("github:")) {
    for (const [platform, artifact] of Object.entries(platforms)) ctx.log.info(`${name} ${version} ${platform}: ${decodeURIComponent(artifact.url.slice(artifact.url.lastIndexOf("/") + 1))}`);
  }
  if (platforms["darwin-arm64"] !== undefined && platforms["darwin-arm64"].url === platforms["darwin-x64"]?.url) {
    ctx.log.info(`${name} ${version} has no darwin-arm64 build: darwin-arm64 runs the darwin-x64 one (Rosetta 2)`);
  }
  const computed = new Set(Object.values(platforms).flatMap((artifact) => (artifact.sha256From === "computed" ? [artifact.url] : [])));
  if (computed.size > 0) {
    ctx.log.warn(`${name} ${version}: upstream publishes no checksums; devenv downloaded ${computed.size === 1 ? "its archive" : `its ${computed.size} archives`} once and locked what it hashed (trust on first use: "sha256From": "computed" in devenv.lock)`);
  }
  return entry;
}
