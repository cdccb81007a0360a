import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { DevenvError, isErrno } from "../errors.js";
import { writeFileAtomic } from "../files/atomic.js";
import { acquireLock } from "../files/process-lock.js";
import { removeTree } from "../files/tree.js";
import { entryName, type StoreLayout } from "../layout.js";
import { ArchiveArrival } from "./arrival.js";
import type { Extraction } from "./extract.js";
import { fetchVerified, onInterrupt, type EnsureDeps, type EntryRequest } from "./fetch.js";
import { sealAndHash } from "./tree-hash.js";

export type { ArchiveSource, EnsureDeps, EntryRequest } from "./fetch.js";

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
  const onWait = (holder: number | undefined, waited: number) =>
    deps.log.info(`waiting for ${holder === undefined ? "another devenv" : `process ${holder}`}, which is installing ${request.tool} ${request.version} (${Math.round(waited / 1000)} s so far)`);
  const release = (await acquireLock(join(layout.locks, `${name}.lock`), { wait: true, onWait }))!;
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
  const name = entryName(request.tool, request.version, request.artifact.sha256);
  const temp = await mkdtemp(join(layout.tmp, `${name}.`));
  // Beside the tree, not in it, and named after the entry: a killed install's archive is swept with its tree.
  const archive = `${temp}.archive`;
  const interrupted = onInterrupt();
  // Loaded by an install that unpacks, not by every command that checks the store.
  const { prepareExtraction } = await import("./extract.js");
  let extraction: Extraction | undefined;
  try {
    // Its workers load while the archive downloads, and unpack it, into `temp`, as it arrives.
    extraction = await prepareExtraction({ file: archive, dir: temp, source: request.fetchUrl, unpack: request.unpack, stripTop: request.unpack.strip === 1, sha256: request.artifact.sha256 });
    const arrival = new ArchiveArrival();
    const unpacked = extraction.run(arrival, interrupted.signal);
    // Until the archive is verified, why unpacking failed is no one's concern: the download's failure is the cause.
    unpacked.catch(() => undefined);
    let origin: string;
    try {
      origin = await fetchVerified(request, archive, deps, interrupted.signal, arrival);
    } catch (error) {
      arrival.fail(error as Error);
      throw error;
    }
    const contentHashes = new Map(await unpacked);
    await extraction.close();
    // A bare binary's archive has become the entry's file.
    await rm(archive, { force: true });
    for (const rewritten of (await request.fixup?.(temp, target)) ?? []) contentHashes.delete(rewritten);
    // After the fixup, which links a record's binaries into place: each link must reach a file the archive held.
    const missing = request.expect.find((path) => !existsSync(join(temp, path)));
    if (missing !== undefined) {
      throw new DevenvError("archive-invalid", `${request.fetchUrl} unpacks without ${missing}: it is not a ${request.tool} archive`, {
        hint: "check the mirror; the lock's checksum matched, so upstream published it this way",
      });
    }
    const tree = await sealAndHash(temp, contentHashes);
    // The last moment an interrupt discards the work: from here on, the entry is recorded and placed.
    interrupted.signal.throwIfAborted();
    // Recorded before the entry appears: an entry never exists without the hash `devenv verify` checks it against.
    await Promise.all([mkdir(layout.trees, { recursive: true }), mkdir(layout.origins, { recursive: true })]);
    writeFileAtomic(join(layout.trees, basename(target)), `${tree}\n`);
    writeFileAtomic(join(layout.origins, basename(target)), `${origin}\n`);
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
    await extraction?.close();
    await Promise.all([removeTree(temp), rm(archive, { force: true })]);
    // A failed write (ENOSPC) names no file; say where devenv was writing.
    const { syscall, path } = error as NodeJS.ErrnoException;
    if (syscall !== undefined && path === undefined) Object.assign(error as object, { path: temp });
    throw error;
  } finally {
    interrupted.dispose();
  }
  // Interrupted after the last step that could stop: the entry is whole, and devenv stops all the same.
  interrupted.signal.throwIfAborted();
}

