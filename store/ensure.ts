import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rename } from "node:fs/promises";
import { basename, join } from "node:path";

import { HttpStatusError, type Http } from "../download/http.js";
import type { Progress } from "../download/progress.js";
import { DevenvError, isErrno } from "../errors.js";
import type { Artifact } from "../resolvers/types.js";
import { createExtractor } from "./extract.js";
import { lockEntry } from "./entry-lock.js";
import { entryName, type StoreLayout } from "./layout.js";
import { sealTree } from "./seal.js";
import { writeFileAtomic } from "../files/atomic.js";
import { removeTree } from "../files/tree.js";
import { treeHash } from "./tree-hash.js";

export interface EntryRequest {
  readonly tool: string;
  readonly version: string;
  readonly artifact: Artifact;
  /** Where to fetch the artifact: its canonical URL, or that URL moved onto a mirror. */
  readonly fetchUrl: string;
  /** Entry-relative paths the unpacked tree must have to be this tool at all (its bin directories). */
  readonly expect: readonly string[];
  /** The resolver's adjustments to the unpacked tree, made before it is sealed; returns the files it rewrote. */
  readonly fixup?: ((dir: string, entry: string) => Promise<string[]>) | undefined;
}

export interface EnsureDeps {
  readonly http: Http;
  readonly progress: Progress;
}

/**
 * The store path for an artifact, downloading and unpacking it first if needed.
 * The entry appears whole or not at all, and a twin process installing the same
 * entry waits for this one and reuses its result (SPEC §4).
 */
export async function ensureEntry(layout: StoreLayout, request: EntryRequest, deps: EnsureDeps): Promise<string> {
  const name = entryName(request.tool, request.version, request.artifact.sha256);
  const target = join(layout.store, name);
  if (existsSync(target)) return target;

  await Promise.all([mkdir(layout.store, { recursive: true }), mkdir(layout.tmp, { recursive: true, mode: 0o700 }), mkdir(layout.locks, { recursive: true })]);
  const release = (await lockEntry(layout, name, { wait: true }))!;
  try {
    if (existsSync(target)) return target;
    await sweepLeftovers(layout, name);
    await install(layout, request, target, deps);
    return target;
  } finally {
    await release();
  }
}

/** Temporary trees of this entry left by a killed install: with the entry's lock held, no live process owns them. */
async function sweepLeftovers(layout: StoreLayout, name: string): Promise<void> {
  for (const leftover of (await readdir(layout.tmp)).filter((file) => file.startsWith(`${name}.`))) {
    await removeTree(join(layout.tmp, leftover));
  }
}

async function install(layout: StoreLayout, request: EntryRequest, target: string, deps: EnsureDeps): Promise<void> {
  const temp = await mkdtemp(join(layout.tmp, `${entryName(request.tool, request.version, request.artifact.sha256)}.`));
  try {
    const contentHashes = new Map(await downloadAndExtract(request, temp, deps));
    const missing = request.expect.find((path) => !existsSync(join(temp, path)));
    if (missing !== undefined) {
      throw new DevenvError("archive-invalid", `${request.fetchUrl} unpacks without ${missing}: it is not a ${request.tool} archive`, {
        hint: "check the mirror; the lock's checksum matched, so upstream published it this way",
      });
    }
    for (const rewritten of (await request.fixup?.(temp, target)) ?? []) contentHashes.delete(rewritten);
    await sealTree(temp);
    // Recorded before the entry appears: an entry never exists without the hash `devenv verify` checks it against.
    await mkdir(layout.trees, { recursive: true });
    writeFileAtomic(join(layout.trees, basename(target)), `${await treeHash(temp, contentHashes)}\n`);
    await chmod(temp, 0o755);
    try {
      await rename(temp, target);
    } catch (error) {
      // Another process finished the same entry first (its lock went stale): its result is as good as ours.
      if (!isErrno(error, "EEXIST", "ENOTEMPTY")) throw error;
      await removeTree(temp);
    }
    await chmod(target, 0o555);
  } catch (error) {
    await removeTree(temp);
    // A failed write (ENOSPC) names no file; say where devenv was writing.
    const { syscall, path } = error as NodeJS.ErrnoException;
    if (syscall !== undefined && path === undefined) Object.assign(error as object, { path: temp });
    throw error;
  }
}

/** One pass over the network stream: hash every byte and unpack as it arrives; nothing is used until the hash matches. */
async function downloadAndExtract(request: EntryRequest, dir: string, deps: EnsureDeps): Promise<ReadonlyMap<string, string>> {
  const { fetchUrl, artifact } = request;
  let response;
  try {
    response = await deps.http.stream(fetchUrl);
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new DevenvError("network", `${fetchUrl} answered 404: devenv.lock points at ${request.tool} ${request.version}, which the mirror does not have`, {
        hint: "check DEVENV_*_MIRROR, or re-resolve with `devenv lock " + request.tool + "`",
        cause: error,
      });
    }
    throw error;
  }
  const hash = createHash("sha256");
  const extractor = createExtractor(dir, fetchUrl);
  const task = deps.progress.start(`${request.tool} ${request.version}`, response.size);
  let bytes = 0;
  let extractError: unknown;
  extractor.finished.catch((error: unknown) => {
    extractError ??= error;
  });
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      task.advance(chunk.length);
      // After an extraction error, keep hashing: a corrupt download is better reported as a checksum mismatch.
      if (extractError === undefined && !extractor.write(chunk)) {
        await new Promise<void>((resolve) => {
          extractor.onDrain(resolve);
          extractor.finished.then(resolve, resolve);
        });
      }
    }
  } catch (error) {
    throw new DevenvError("network", `download of ${fetchUrl} broke off after ${bytes} bytes: ${(error as Error).message}`, {
      hint: "run the command again; if it keeps failing, check the network or the mirror",
      cause: error,
    });
  } finally {
    task.done();
  }
  if (response.size !== undefined && bytes !== response.size) {
    throw new DevenvError("network", `download of ${fetchUrl} is truncated: ${bytes} of ${response.size} bytes`, {
      hint: "run the command again; if it keeps failing, check the network or the mirror",
    });
  }
  const actual = hash.digest("hex");
  if (actual !== artifact.sha256) {
    throw new DevenvError("checksum-mismatch", `checksum mismatch for ${fetchUrl}: expected sha256 ${artifact.sha256}, got ${actual}`, {
      hint: "the download is not what devenv.lock pins; nothing was installed. Check the mirror, or re-lock if upstream really changed",
    });
  }
  extractor.end();
  await extractor.finished;
  if (extractor.failure) throw extractor.failure;
  return extractor.contentHashes;
}
