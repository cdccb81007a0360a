import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  readonly path: string;
  readonly type?: "File" | "Directory" | "SymbolicLink";
  readonly content?: string | Buffer;
  readonly mode?: number;
  readonly linkpath?: string;
  /** Declares this uncompressed size in the central directory, whatever the data (a zip bomb's lie). */
  readonly declaredSize?: number;
}

const fileTypes = { File: 0o100000, Directory: 0o040000, SymbolicLink: 0o120000 };

/**
 * A zip written record by record (stored, or deflated; made on Unix), so tests can build
 * archives no well-behaved zipper would: `../evil`, absolute names, links out,
 * sizes that lie.
 */
export function buildZip(entries: readonly ZipEntry[], options: { deflate?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const type = entry.type ?? (entry.path.endsWith("/") ? "Directory" : "File");
    const data = type === "SymbolicLink" ? Buffer.from(entry.linkpath ?? "") : type === "File" ? Buffer.from(entry.content ?? "") : Buffer.alloc(0);
    const name = Buffer.from(entry.path);
    const crc = crc32(data);
    // A lying size is only believable deflated: a stored entry's two sizes must agree.
    const deflated = options.deflate === true || entry.declaredSize !== undefined;
    const stored = deflated ? deflateRawSync(data, { level: 1 }) : data;
    const mode = fileTypes[type] | (entry.mode ?? (type === "Directory" ? 0o755 : type === "SymbolicLink" ? 0o777 : 0o644));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // names are UTF-8
    local.writeUInt16LE(deflated ? 8 : 0, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(entry.declaredSize ?? data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix: the high 16 bits of the external attributes are the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(deflated ? 8 : 0, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(entry.declaredSize ?? data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
