import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { DevenvError } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { Http } from "./http.js";
import { registryAuthorization } from "./registry-auth.js";
import type { CacheCredentials, TeamCache } from "./team-cache.js";

/** What devenv pushes: one upstream archive, byte for byte, and what it is. */
export interface PushedArchive {
  readonly file: string;
  readonly sha256: string;
  readonly tool: string;
  readonly version: string;
  readonly platform: string;
  /** The canonical upstream URL. */
  readonly url: string;
}

const manifestType = "application/vnd.oci.image.manifest.v1+json";
const artifactType = "application/vnd.devenv.toolchain.v1";
/** The OCI empty descriptor: an artifact with no config (image-spec, "Guidelines for Artifact Usage"). */
const emptyConfig = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };

/** `<tool>-<version>-<platform>`: what people browse, and what keeps the blob from a registry's garbage collection. */
export const tagOf = (archive: PushedArchive) => `${archive.tool}-${archive.version}-${archive.platform}`.replace(/[^A-Za-z0-9_.-]/g, "_");

/** One manifest per archive: one layer, the archive; annotations say what it is. */
export function manifestOf(archive: PushedArchive): string {
  const size = statSync(archive.file).size;
  const name = archive.url.slice(archive.url.lastIndexOf("/") + 1);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestType,
    artifactType,
    config: emptyConfig,
    layers: [{ mediaType: name.endsWith(".zip") ? "application/zip" : "application/gzip", digest: `sha256:${archive.sha256}`, size, annotations: { "org.opencontainers.image.title": decodeURIComponent(name) } }],
    annotations: { "dev.devenv.tool": archive.tool, "dev.devenv.version": archive.version, "dev.devenv.platform": archive.platform, "dev.devenv.url": archive.url },
  });
}

/** Chunks of a chunked upload: below the body limits proxies commonly set. */
const chunkBytes = 4 * 2 ** 20;

const sha256Of = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Pushes archives to a team cache. Returns how many blobs were uploaded (an
 * archive the cache already has is not sent again).
 */
export async function pushArchives(cache: TeamCache, archives: readonly PushedArchive[], http: Http, credentials: CacheCredentials): Promise<number> {
  return cache.kind === "layout" ? pushToLayout(cache.dir, archives) : pushToRegistry(cache, archives, http, credentials);
}

/**
 * A standard OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`)
 * that oras, skopeo and crane read: for an air gap, or to copy into a registry.
 */
function pushToLayout(dir: string, archives: readonly PushedArchive[]): number {
  const blobs = join(dir, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  writeFileAtomic(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const indexFile = join(dir, "index.json");
  type Index = { schemaVersion: 2; mediaType: string; manifests: Array<{ annotations?: Record<string, string> }> };
  const index: Index = existsSync(indexFile) ? (JSON.parse(readFileSync(indexFile, "utf8")) as Index) : { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] };
  const blob = (sha256: string) => join(blobs, sha256);
  if (!existsSync(blob(emptyConfig.digest.slice(7)))) writeFileAtomic(blob(emptyConfig.digest.slice(7)), "{}");
  let uploaded = 0;
  for (const archive of archives) {
    if (!existsSync(blob(archive.sha256))) {
      // Copied beside its place, then renamed: a reader never sees half a blob.
      copyFileSync(archive.file, `${blob(archive.sha256)}.${process.pid}.partial`);
      renameSync(`${blob(archive.sha256)}.${process.pid}.partial`, blob(archive.sha256));
      uploaded++;
    }
    const manifest = manifestOf(archive);
    const digest = sha256Of(manifest);
    if (!existsSync(blob(digest))) writeFileAtomic(blob(digest), manifest);
    const tag = tagOf(archive);
    index.manifests = index.manifests.filter((m) => m.annotations?.["org.opencontainers.image.ref.name"] !== tag);
    index.manifests.push({ mediaType: manifestType, artifactType, digest: `sha256:${digest}`, size: Buffer.byteLength(manifest), annotations: { "org.opencontainers.image.ref.name": tag } } as Index["manifests"][number]);
  }
  writeFileAtomic(indexFile, JSON.stringify(index));
  return uploaded;
}

/** The OCI distribution API: HEAD a blob, else POST then a monolithic PUT of the file (streamed); then the manifest under its tag. */
async function pushToRegistry(cache: TeamCache & { kind: "registry" }, archives: readonly PushedArchive[], http: Http, credentials: CacheCredentials): Promise<number> {
  const base = `${cache.origin}/v2/${cache.repository}`;
  const auth = await registryAuthorization(http, cache, credentials, "pull,push");
  const refuse = (what: string, answer: { status: number; text: string }) =>
    new DevenvError("network", `${cache.name}: ${what} answered ${answer.status}${answer.text ? `: ${answer.text.trim().slice(0, 200)}` : ""}`, {
      hint: answer.status === 401 || answer.status === 403 ? "give credentials that may push: DEVENV_CACHE_USER and DEVENV_CACHE_PASSWORD, or DEVENV_CACHE_TOKEN" : "check the registry and the repository name",
    });
  // An upload's Location may name another host (a storage bucket) or scheme: credentials go to the registry's origin only.
  const authFor = (url: URL) => (url.origin === cache.origin ? auth : {});
  const putBlob = async (sha256: string, body: { text: string } | { file: string }): Promise<boolean> => {
    const head = await http.send("HEAD", `${base}/blobs/sha256:${sha256}`, { headers: auth });
    if (head.status === 200) return false;
    const start = await http.send("POST", `${base}/blobs/uploads/`, { headers: { ...auth, "content-length": "0" } });
    const location = start.headers.location;
    if (start.status !== 202 || typeof location !== "string") throw refuse("starting an upload", start);
    const target = new URL(location, cache.origin);
    target.searchParams.set("digest", `sha256:${sha256}`);
    const headers = { ...authFor(target), "content-type": "application/octet-stream" };
    const size = "text" in body ? 0 : statSync(body.file).size;
    const put = "text" in body ? await http.send("PUT", target.href, { headers, body: body.text }) : await http.send("PUT", target.href, { headers, file: { path: body.file, start: 0, end: size } });
    if (put.status === 201) return true;
    // A body too large for the registry (or a proxy before it): the same blob in chunks, in a new upload.
    if (put.status !== 413) throw refuse(`uploading sha256:${sha256}`, put);
    await putChunked(sha256, body);
    return true;
  };
  /** The OCI distribution spec's chunked upload: PATCH each range, then a PUT with the digest and no body. */
  const putChunked = async (sha256: string, body: { text: string } | { file: string }) => {
    const size = "text" in body ? Buffer.byteLength(body.text) : statSync(body.file).size;
    const start = await http.send("POST", `${base}/blobs/uploads/`, { headers: { ...auth, "content-length": "0" } });
    let location = start.headers.location;
    if (start.status !== 202 || typeof location !== "string") throw refuse("starting an upload", start);
    for (let offset = 0; offset < size; offset += chunkBytes) {
      const end = Math.min(offset + chunkBytes, size);
      const url = new URL(location, cache.origin);
      const headers = { ...authFor(url), "content-type": "application/octet-stream", "content-range": `${offset}-${end - 1}` };
      const chunk = "text" in body ? { body: body.text } : { file: { path: body.file, start: offset, end } };
      const patch = await http.send("PATCH", url.href, { headers, ...chunk });
      location = patch.headers.location;
      if (patch.status !== 202 || typeof location !== "string") throw refuse(`uploading sha256:${sha256} in chunks`, patch);
    }
    const target = new URL(location, cache.origin);
    target.searchParams.set("digest", `sha256:${sha256}`);
    const done = await http.send("PUT", target.href, { headers: { ...authFor(target), "content-length": "0" } });
    if (done.status !== 201) throw refuse(`finishing the upload of sha256:${sha256}`, done);
  };
  let uploaded = 0;
  await putBlob(emptyConfig.digest.slice(7), { text: "{}" });
  for (const archive of archives) {
    if (await putBlob(archive.sha256, { file: archive.file })) uploaded++;
    const manifest = await http.send("PUT", `${base}/manifests/${tagOf(archive)}`, { headers: { ...auth, "content-type": manifestType }, body: manifestOf(archive) });
    if (manifest.status !== 201) throw refuse(`the manifest of ${tagOf(archive)}`, manifest);
  }
  return uploaded;
}
