import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { constants as osConstants } from "node:os";
import { join } from "node:path";
import type { Http } from "../download/http.js";
import type { Progress, ProgressTask } from "../download/progress.js";
import { DevenvError, HttpStatusError, isErrno } from "../errors.js";
import { acquireLock } from "../files/process-lock.js";
import { removeTree } from "../files/tree.js";
import type { StoreLayout } from "../layout.js";
import type { Artifact, Unpack } from "../resolvers/types.js";
import type { ArchiveArrival } from "./arrival.js";

// Fetching: an archive into a file, from the first source that has it, verified against the lock
// as it is written. Installing it into the store is store/ensure.ts's.

/** A team cache's copy of an archive: a registry's blob URL (with credentials), or an OCI layout's blob file. */
export interface ArchiveSource {
  /** What the user configured, for messages. */
  readonly name: string;
  readonly url?: string;
  readonly headers?: Record<string, string>;
  readonly path?: string;
}

export interface EntryRequest {
  readonly tool: string;
  readonly version: string;
  readonly artifact: Artifact;
  /** Team caches to try first, in order (DEVENV_CACHE). */
  readonly caches: readonly ArchiveSource[];
  /** Where to fetch the artifact otherwise: its canonical URL, or that URL moved onto a mirror. */
  readonly fetchUrl: string;
  /** Entry-relative paths the unpacked tree must have to be this tool at all (its binaries). */
  readonly expect: readonly string[];
  /** How the archive becomes the entry: its format, its top directory left out or not, a lone binary's name. */
  readonly unpack: Unpack;
  /** The resolver's adjustments to the unpacked tree, made before it is sealed; returns the files it rewrote. */
  readonly fixup?: ((dir: string, entry: string) => Promise<string[]>) | undefined;
}

export interface EnsureDeps {
  readonly http: Http;
  readonly progress: Progress;
  readonly log: { info(message: string): void; debug(message: string): void };
}

/**
 * The verified archive itself, in a private temporary directory of DEVENV_HOME
 * (for `devenv cache push`, which uploads archives, not entries). Its lock is
 * held until `release`: gc sweeps `tmp/<name>.XXXXXX` only with `<name>`'s lock,
 * so it never removes an archive a push is still sending.
 */
export async function fetchArchive(layout: StoreLayout, request: EntryRequest, deps: EnsureDeps): Promise<{ file: string; release(): Promise<void> }> {
  const name = `push-${request.artifact.sha256.slice(0, 16)}`;
  await Promise.all([mkdir(layout.tmp, { recursive: true, mode: 0o700 }), mkdir(layout.locks, { recursive: true })]);
  const unlock = (await acquireLock(join(layout.locks, `${name}.lock`), { wait: true }))!;
  const dir = await mkdtemp(join(layout.tmp, `${name}.`));
  const release = async () => {
    await removeTree(dir);
    await unlock();
  };
  const interrupted = onInterrupt();
  try {
    await fetchVerified(request, join(dir, "archive"), deps, interrupted.signal);
    return { file: join(dir, "archive"), release };
  } catch (error) {
    await release();
    throw error;
  } finally {
    interrupted.dispose();
  }
}

/**
 * Fetches the archive into `file` from the first source that has it: team
 * caches first (a miss or an unreachable cache falls through, said under -v),
 * then the mirror or upstream. Whatever the source, every byte is hashed as it
 * is written, and the archive is refused unless it is whole and its sha256 is
 * the lock's. `arrival` is told of the mirror's or upstream's bytes as they are
 * written, and of a cache's only once they verified: a cache that fails midway
 * is passed over, its bytes removed, before anything read them.
 */
export async function fetchVerified(request: EntryRequest, file: string, deps: EnsureDeps, signal: AbortSignal, arrival?: ArchiveArrival): Promise<string> {
  for (const cache of request.caches) {
    try {
      const size = await fetchFrom(cache, request, file, deps, signal);
      arrival?.verify(size);
      deps.log.debug(`${request.tool} ${request.version} from ${cache.name}`);
      return cache.name;
    } catch (error) {
      // Only a cache that does not have the blob, or cannot be reached, is passed over: wrong bytes are refused.
      if (!(error instanceof DevenvError) || (error.code !== "network" && error.code !== "cache-miss" && error.code !== "offline")) throw error;
      deps.log.debug(`${cache.name}: ${error.message}; trying the next source`);
      await rm(file, { force: true });
    }
  }
  try {
    const size = await fetchFrom({ name: request.fetchUrl, url: request.fetchUrl }, request, file, deps, signal, (bytes) => arrival?.grew(bytes));
    arrival?.verify(size);
    return request.fetchUrl;
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new DevenvError("network", `${request.fetchUrl} answered 404: devenv.lock points at ${request.tool} ${request.version}, which the mirror does not have`, {
        hint: "check DEVENV_*_MIRROR, or re-resolve with `devenv lock " + request.tool + "`",
        cause: error,
      });
    }
    throw error;
  }
}

/** One source into `file`, hashed and checked against the lock; returns its size. `onWritten`: bytes written to `file`, as they are. */
async function fetchFrom(source: ArchiveSource, request: EntryRequest, file: string, deps: EnsureDeps, signal: AbortSignal, onWritten?: (bytes: number) => void): Promise<number> {
  const { artifact } = request;
  const where = source.url ?? source.path;
  const hash = createHash("sha256");
  let task: ProgressTask | undefined;
  let bytes = 0;
  let size: number | undefined;
  const onChunk = (chunk: Buffer, announced: number | undefined) => {
    size = announced;
    task ??= deps.progress.start(`${request.tool} ${request.version}`, announced);
    hash.update(chunk);
    bytes += chunk.length;
    task.advance(chunk.length);
  };
  try {
    if (source.path !== undefined) await copyFile(source.path, file, onChunk, signal);
    else {
      try {
        await deps.http.download(source.url!, file, (chunk, announced) => (onChunk(chunk, announced), onWritten?.(chunk.length)), signal, source.headers);
      } catch (error) {
        // A cache without the blob is a miss; the mirror or upstream without it is reported by the caller.
        if (source.name !== request.fetchUrl && error instanceof HttpStatusError && error.status === 404) {
          throw new DevenvError("cache-miss", `${source.url} answered 404`, { cause: error });
        }
        throw error;
      }
    }
  } finally {
    task?.done();
  }
  if (size !== undefined && bytes !== size) {
    throw new DevenvError("network", `download of ${where} is truncated: ${bytes} of ${size} bytes`, {
      hint: "run the command again; if it keeps failing, check the network or the mirror",
    });
  }
  const actual = hash.digest("hex");
  if (actual !== artifact.sha256) {
    throw new DevenvError("checksum-mismatch", `checksum mismatch for ${where}: expected sha256 ${artifact.sha256}, got ${actual}`, {
      hint: `nothing was installed. If the source is right, devenv.lock is wrong: restore it from version control, or rebuild ${request.tool}'s entry from upstream with \`devenv lock ${request.tool}\``,
    });
  }
  return bytes;
}

/** As downloads are bounded (download/http.ts): no toolchain archive is larger. */
const maxArchiveBytes = 2 ** 30;

/** A blob of an OCI layout directory, copied as a download would be written, never past the size it had. */
async function copyFile(from: string, to: string, onChunk: (chunk: Buffer, size: number | undefined) => void, signal: AbortSignal): Promise<void> {
  let size: number;
  try {
    const found = await stat(from);
    // A link to a device (/dev/zero) or a pipe would be copied until the disk is full, before its checksum could fail.
    if (!found.isFile()) throw new DevenvError("cache-miss", `${from} is not a regular file`);
    size = found.size;
  } catch (error) {
    if (isErrno(error, "ENOENT")) throw new DevenvError("cache-miss", `${from} is not there`, { cause: error });
    throw error;
  }
  if (size > maxArchiveBytes) throw new DevenvError("cache-miss", `${from} is over ${maxArchiveBytes / 2 ** 30} GiB, larger than a toolchain archive`);
  const input = createReadStream(from, { end: size });
  const output = createWriteStream(to, { flags: "wx", mode: 0o600 });
  await pipeline(
    input,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        onChunk(chunk, size);
        yield chunk;
      }
    },
    output,
    { signal },
  );
}

/**
 * While an install runs, Ctrl-C (or SIGTERM, SIGHUP) stops it, and the install
 * removes what it wrote before devenv exits with 128+n: nothing is left behind.
 */
export function onInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const listeners = signals.map((name) => {
    const listener = () =>
      // Each entry is whole or absent: what was being installed is removed, what was already installed stays.
      controller.abort(new DevenvError("interrupted", `interrupted by ${name}; the install in progress was removed`, { exitCode: 128 + osConstants.signals[name] }));
    process.once(name, listener);
    return [name, listener] as const;
  });
  return { signal: controller.signal, dispose: () => listeners.forEach(([name, listener]) => process.removeListener(name, listener)) };
}
