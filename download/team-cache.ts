import { DevenvError } from "../errors.js";
import { isLoopback } from "./loopback.js";

/**
 * A team cache (DEVENV_CACHE): an OCI registry repository, or an OCI image
 * layout directory. A locked archive is the blob named by its sha256 in either:
 * nothing to trust but the lock.
 */
export type TeamCache =
  | { readonly kind: "registry"; readonly name: string; readonly origin: string; readonly repository: string }
  | { readonly kind: "layout"; readonly name: string; readonly dir: string };

/** Credentials for registries: DEVENV_CACHE_TOKEN (Bearer), or DEVENV_CACHE_USER and DEVENV_CACHE_PASSWORD (Basic). */
export interface CacheCredentials {
  readonly token?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/**
 * `oci://host[:port]/repo` (https; plain http for a loopback host, as docker
 * does, or when written `oci+http://`) or `oci-layout:DIR`, comma-separated,
 * tried in order.
 */
export function parseTeamCaches(value: string | undefined, variable = "DEVENV_CACHE"): TeamCache[] {
  return (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => parseTeamCache(part, variable));
}

export function parseTeamCache(value: string, variable: string): TeamCache {
  const bad = () =>
    new DevenvError("usage", `${variable}: ${value} is not a team cache`, { hint: "write oci://registry.example.com/team/devenv, oci+http://host:5000/repo or oci-layout:/path/to/dir" });
  if (value.startsWith("oci-layout:")) {
    const dir = value.slice("oci-layout:".length);
    if (!dir.startsWith("/")) throw bad();
    return { kind: "layout", name: value, dir };
  }
  const match = /^oci(\+http)?:\/\/([^/]+)\/(.+?)\/?$/.exec(value);
  if (!match) throw bad();
  const [, plain, host, repository] = match;
  const hostname = host!.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository!)) throw bad();
  const scheme = plain !== undefined || isLoopback(hostname) ? "http" : "https";
  return { kind: "registry", name: value, origin: `${scheme}://${host}`, repository: repository! };
}

/** Where a registry keeps the blob `sha256` (OCI distribution spec: pull a blob). */
export function blobUrl(cache: TeamCache & { kind: "registry" }, sha256: string): string {
  return `${cache.origin}/v2/${cache.repository}/blobs/sha256:${sha256}`;
}
