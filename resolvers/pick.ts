import semver from "semver";
import { DevenvError } from "../errors.js";

/** One release of a toolchain, as the upstream index names it and as semver can compare it. */
export interface Candidate {
  readonly version: string;
  readonly semver: string;
  readonly stable: boolean;
  /** node's LTS codename, lower case, where the release has one. */
  readonly lts?: string;
}

/** Does `candidate` satisfy `spec`, as pickVersion reads it? Pre-releases only when named exactly. */
export function specMatches(spec: string, candidate: Candidate, toSemver: (v: string) => string | undefined): boolean {
  const exact = toSemver(spec);
  if (exact !== undefined && semver.prerelease(exact) !== null) return candidate.semver === exact;
  const range = spec === "latest" ? "*" : semver.validRange(spec);
  return range !== null && candidate.stable && semver.satisfies(candidate.semver, range);
}

/** Newest first, as `devenv versions` lists them. */
export function newestFirst(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => semver.rcompare(a.semver, b.semver));
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
  return spec === "latest" || toSemver(spec) !== undefined || semver.validRange(spec) !== null;
}

/** The stable releases closest to where the spec points: a few below it and a few above. */
function nearestVersions(spec: string, candidates: readonly Candidate[], toSemver: (v: string) => string | undefined): string[] {
  const stable = candidates.filter((c) => c.stable).sort((a, b) => semver.compare(a.semver, b.semver));
  const range = semver.validRange(spec);
  const anchor = toSemver(spec) ?? (range === null ? null : semver.minVersion(range)?.version ?? null);
  if (anchor === null) return stable.slice(-5).reverse().map((c) => c.version);
  const above = stable.findIndex((c) => semver.gt(c.semver, anchor));
  const split = above === -1 ? stable.length : above;
  return [...stable.slice(Math.max(0, split - 3), split), ...stable.slice(split, split + 2)].reverse().map((c) => c.version);
}
