// semver's functions one by one, not its index: the index builds every one of them on every start of the CLI (docs/performance.md, seventh set).
import compare from "semver/functions/compare.js";
import gt from "semver/functions/gt.js";
import prerelease from "semver/functions/prerelease.js";
import rcompare from "semver/functions/rcompare.js";
import satisfies from "semver/functions/satisfies.js";
import valid from "semver/functions/valid.js";
import minVersion from "semver/ranges/min-version.js";
import validRange from "semver/ranges/valid.js";
import { DevenvError } from "../errors.js";

/** One release of a toolchain, as the upstream index names it and as semver can compare it. */
export interface Candidate {
  readonly version: string;
  readonly semver: string;
  readonly stable: boolean;
  /** node's LTS codename, lower case, where the release has one. */
  readonly lts?: string;
}

/** A version spelled as semver, with or without a leading v (node, bun, deno and GitHub tags spell it so). */
export const plainSemver = (version: string): string | undefined => valid(version.replace(/^v/, "")) ?? undefined;

/** Not a pre-release. */
export const isStable = (version: string): boolean => prerelease(version) === null;

/** Does `candidate` satisfy `spec`, as pickVersion reads it? Pre-releases only when named exactly. */
export function specMatches(spec: string, candidate: Candidate, toSemver: (v: string) => string | undefined): boolean {
  const exact = toSemver(spec);
  if (exact !== undefined && !isStable(exact)) return candidate.semver === exact;
  const range = spec === "latest" ? "*" : validRange(spec);
  return range !== null && candidate.stable && satisfies(candidate.semver, range);
}

/**
 * A locked version as a release, from its spelling alone (no index at hand): what
 * `Resolver.admits` checks a lock entry with. Undefined when it is no version at all.
 */
export function lockedCandidate(version: string, toSemver: (v: string) => string | undefined): Candidate | undefined {
  const semver = toSemver(version);
  return semver === undefined ? undefined : { version, semver, stable: isStable(semver) };
}

/** Newest first, as `devenv versions` lists them. */
export function newestFirst(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => rcompare(a.semver, b.semver));
}

/**
 * The shared meaning of a version spec (SPEC §2): `latest`, a partial or exact
 * version, or a node-semver range. `toSemver` maps the toolchain's own spelling
 * (go1.22rc1, 3.13.0a1) onto semver; pre-releases only match when named exactly.
 */
export function pickVersion(tool: string, spec: string, candidates: readonly Candidate[], toSemver: (v: string) => string | undefined): string {
  const hit = newestFirst(candidates.filter((c) => specMatches(spec, c, toSemver)))[0];
  if (hit) return hit.version;
  throw noMatch(tool, spec, nearestVersions(spec, candidates, toSemver));
}

export function noMatch(tool: string, spec: string, nearest: readonly string[]): DevenvError {
  const listed = nearest.length > 0 ? `; nearest available: ${nearest.join(", ")}` : "";
  return new DevenvError("resolve-failed", `no ${tool} release matches "${spec}"${listed}`, {
    hint: `change the ${tool} spec in devenv.ts to one of the available versions`,
  });
}

export function isValidSemverSpec(spec: string, toSemver: (v: string) => string | undefined): boolean {
  // node-semver reads an empty range as "*"; an empty spec is a mistake, not "anything".
  if (spec.trim() === "") return false;
  return spec === "latest" || toSemver(spec) !== undefined || validRange(spec) !== null;
}

/** The stable releases closest to where the spec points: a few below it and a few above. */
function nearestVersions(spec: string, candidates: readonly Candidate[], toSemver: (v: string) => string | undefined): string[] {
  const stable = candidates.filter((c) => c.stable).sort((a, b) => compare(a.semver, b.semver));
  const range = validRange(spec);
  const anchor = toSemver(spec) ?? (range === null ? null : minVersion(range)?.version ?? null);
  if (anchor === null) return stable.slice(-5).reverse().map((c) => c.version);
  const above = stable.findIndex((c) => gt(c.semver, anchor));
  const split = above === -1 ? stable.length : above;
  return [...stable.slice(Math.max(0, split - 3), split), ...stable.slice(split, split + 2)].reverse().map((c) => c.version);
}
