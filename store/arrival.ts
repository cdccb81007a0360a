import { open } from "node:fs/promises";

/**
 * How much of an archive its download has written to the file, for the
 * unpacking that follows it (store/tar-writers.ts): the unpacker reads no
 * byte before it is written, and nothing is kept unless the whole archive
 * verifies (store/ensure.ts). Until then, what it inflates is bounded
 * (`mayInflate`): a hostile source cannot fill the disk with a gzip bomb
 * before its checksum fails.
 */
export class ArchiveArrival {
  #written = 0;
  #verified = false;
  #failure: Error | undefined;
  #wake: Array<() => void> = [];

  /** Bytes in the file so far. */
  get written(): number {
    return this.#written;
  }

  /** The archive is whole, and its sha256 is the lock's. */
  get verified(): boolean {
    return this.#verified;
  }

  /** `bytes` more are in the file. */
  grew(bytes: number): void {
    this.#written += bytes;
    this.#notify();
  }

  /** The file holds the whole archive, `size` bytes, and it matched the lock. */
  verify(size: number): void {
    this.#written = size;
    this.#verified = true;
    this.#notify();
  }

  /** The download failed: whoever waits for more stops, with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#notify();
  }

  /** Throws once the download failed or `signal` aborted: nothing more is to be read. */
  check(signal: AbortSignal): void {
    if (this.#failure !== undefined) throw this.#failure;
    signal.throwIfAborted();
  }

  /** Settles at the next change (more bytes, the verdict), or rejects once the download failed or `signal` aborts. */
  async next(signal: AbortSignal): Promise<void> {
    this.check(signal);
    await new Promise<void>((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.#wake.push(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
    this.check(signal);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    wake.forEach((resolve) => resolve());
  }
}

/**
 * What an unverified archive may inflate to: 32 bytes per byte arrived
 * (toolchains inflate 3-5 times: node 2.8, go 3.3), and 1 GiB in all. Past
 * that, the unpacking waits for more of the download, or for its verdict.
 */
export function mayInflate(inflated: number, arrival: ArchiveArrival): boolean {
  return arrival.verified || inflated <= Math.min(32 * arrival.written, 2 ** 30);
}

/**
 * The archive's bytes as its download writes them into `file`, read behind
 * it; ends once the archive is verified and read to its end.
 */
export async function* readAsItArrives(file: string, arrival: ArchiveArrival, signal: AbortSignal): AsyncGenerator<Buffer> {
  // The download creates the file with its first bytes.
  while (arrival.written === 0 && !arrival.verified) await arrival.next(signal);
  const handle = await open(file, "r");
  try {
    let position = 0;
    for (;;) {
      // A failed download stops the reading at once, not only once it has caught up.
      arrival.check(signal);
      if (position >= arrival.written) {
        if (arrival.verified) return;
        await arrival.next(signal);
        continue;
      }
      const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, arrival.written - position));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) throw new Error(`${file} ended at ${position} of ${arrival.written} bytes written`);
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** As the inflater takes them. */
const chunkBytes = 1 << 18;
