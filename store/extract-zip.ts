import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lstat, mkdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { DevenvError } from "../errors.js";
import { safeMode, type EntryPolicy } from "./unpack-policy.js";

/** Far more than any toolchain unpacks to (the largest, a few hundred MB): a zip that declares it is a bomb. */
const maxUnpackedBytes = 2 * 2 ** 30;

const S_IFMT = 0o170000;
const kinds: Record<number, string> = { 0: "File", 0o100000: "File", 0o040000: "Directory", 0o120000: "SymbolicLink" };

/**
 * Unpacks the verified zip `file` into `dir` under `policy`, the same policy as
 * tar's. yauzl reads the central directory of the file on disk (zip's index is
 * at its end, so a zip is read from the verified file, never while streaming);
 * names are checked by the policy, not yauzl, so every refusal reads the same.
 * Returns the sha256 of each file's content by entry-relative path.
 */
export async function extractZip(file: string, dir: string, policy: EntryPolicy): Promise<ReadonlyMap<string, string>> {
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
    );
  } catch (error) {
    throw new DevenvError("archive-invalid", `${policy.source} is not a zip archive: ${(error as Error).message}`, { hint: "check the mirror" });
  }
  const hashes = new Map<string, string>();
  let declared = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("end", () => resolve());
      zip.on("error", reject);
      zip.on("entry", (entry: Entry) => {
        unpackEntry(entry).then(() => (policy.refusal !== undefined ? resolve() : zip.readEntry()), reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    if (error instanceof DevenvError || (error as NodeJS.ErrnoException).syscall !== undefined) throw error;
    throw new DevenvError("archive-invalid", `${policy.source} is a broken zip archive: ${(error as Error).message}`, { hint: "check the mirror", cause: error });
  } finally {
    zip.close();
  }
  if (policy.refusal !== undefined) throw policy.refusal;
  return hashes;

  async function unpackEntry(entry: Entry): Promise<void> {
    const name = (entry.fileName as unknown as Buffer).toString("utf8");
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const type = name.endsWith("/") ? "Directory" : (kinds[mode & S_IFMT] ?? `entry of mode ${(mode & S_IFMT).toString(8)}`);
    declared += entry.uncompressedSize;
    if (declared > maxUnpackedBytes) {
      policy.refuse(`it declares more than ${maxUnpackedBytes / 2 ** 30} GiB unpacked (a zip bomb)`);
      return;
    }
    const linkpath = type === "SymbolicLink" ? (await readAll(await openEntry(entry))).toString("utf8") : "";
    const placed = policy.place(name, type, linkpath);
    if (placed === undefined) return;
    const target = join(dir, placed.path);
    await refuseLinksOnTheWay(dir, placed.path);
    if (policy.refusal !== undefined) return;
    if (type === "Directory") {
      await mkdir(target, { recursive: true, mode: 0o755 });
    } else if (type === "SymbolicLink") {
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await symlink(placed.linkpath, target);
    } else {
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const hash = createHash("sha256");
      const tap = new Transform({ transform: (chunk: Buffer, _encoding, done) => done(null, hash.update(chunk) && chunk) });
      // wx: never through something already there, a link least of all.
      await pipeline(await openEntry(entry), tap, createWriteStream(target, { flags: "wx", mode: safeMode(mode & 0o7777 || 0o644) }));
      hashes.set(placed.path, hash.digest("hex"));
    }
  }

  /** A file or directory whose way down passes a symbolic link the archive made would land where the link points. */
  async function refuseLinksOnTheWay(root: string, path: string): Promise<void> {
    const parts = path.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const stat = await lstat(join(root, ...parts.slice(0, i))).catch(() => undefined);
      if (stat === undefined) return;
      if (stat.isSymbolicLink()) {
        policy.refuse(`entry "${path}" is written through a symbolic link`);
        return;
      }
    }
  }

  function openEntry(entry: Entry): Promise<Readable> {
    return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
