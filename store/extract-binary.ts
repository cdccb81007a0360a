import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, open, rename } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DevenvError } from "../errors.js";
import type { ArchiveArrival } from "./arrival.js";
import type { Extraction } from "./unpack-protocol.js";

/** No program devenv installs is larger unpacked; a gzip that inflates further is a bomb. */
const maxBinaryBytes = 2 ** 30;

/**
 * A release that is one program: a bare binary, or one gzip-compressed. Once verified
 * it becomes `name` in `dir`, executable, and only if it is a program: an ELF or Mach-O
 * file, or a script with `#!`. An HTML error page saved under a binary's name is refused
 * whole. A bare binary is moved into place, not copied: its content's sha256 is the one
 * it was verified against (biome's is 100 MB; docs/performance.md, ninth set).
 */
export function binaryExtraction(file: string, dir: string, name: string, gzipped: boolean, source: string, sha256: string): Extraction {
  return {
    close: async () => undefined,
    async run(arrival: ArchiveArrival, signal: AbortSignal) {
      while (!arrival.verified) await arrival.next(signal);
      const target = join(dir, name);
      if (!gzipped) {
        await assertProgram(file, source);
        await rename(file, target);
        await chmod(target, 0o755);
        return new Map([[name, sha256]]);
      }
      const hash = createHash("sha256");
      let written = 0;
      const count = async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          written += chunk.length;
          if (written > maxBinaryBytes) throw new DevenvError("archive-unsafe", `refusing ${source}: it inflates to more than ${maxBinaryBytes / 2 ** 30} GiB`, { hint: "report it to the mirror's owner" });
          hash.update(chunk);
          yield chunk;
        }
      };
      const output = createWriteStream(target, { flags: "wx", mode: 0o755 });
      try {
        await pipeline(createReadStream(file), createGunzip(), count, output, { signal });
      } catch (error) {
        if (error instanceof DevenvError || signal.aborted) throw signal.aborted ? signal.reason : error;
        if ((error as NodeJS.ErrnoException).syscall !== undefined) throw error;
        throw new DevenvError("archive-invalid", `${source} is not a gzip-compressed program: ${(error as Error).message}`, { hint: "check the mirror" });
      }
      await assertProgram(target, source);
      return new Map([[name, hash.digest("hex")]]);
    },
  };
}

/** ELF, Mach-O (either byte order, 32 or 64 bits, or universal), or `#!`. */
async function assertProgram(path: string, source: string): Promise<void> {
  const handle = await open(path, "r");
  const head = Buffer.alloc(4);
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const magic = head.readUInt32BE(0);
  const programs = [0x7f454c46, 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe];
  if (programs.includes(magic) || head.subarray(0, 2).toString("latin1") === "#!") return;
  throw new DevenvError("archive-invalid", `${source} is no program: it begins ${JSON.stringify(head.toString("latin1"))}, not as an ELF or Mach-O binary or a #! script does`, {
    hint: "the lock's checksum matched, so upstream published it this way: check that the record's format is right",
  });
}
