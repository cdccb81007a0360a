import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface TarEntry {
  readonly path: string;
  readonly type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "FIFO";
  readonly content?: string | Buffer;
  readonly mode?: number;
  readonly linkpath?: string;
}

/**
 * A .tar.gz from entries written header by header, so tests can build
 * archives no well-behaved packer would (`../evil`, absolute paths, devices).
 */
export function buildTarball(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? (entry.path.endsWith("/") ? "Directory" : "File");
    const content = type === "File" ? Buffer.from(entry.content ?? "") : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type,
      size: content.length,
      mode: entry.mode ?? (type === "Directory" ? 0o755 : 0o644),
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      linkpath: entry.linkpath ?? "",
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * A nodejs.org-shaped archive whose bin/node is a script that prints its
 * version, with npm's real symlink; `padding` extra files make extraction take a while.
 */
export function fakeNodeTarball(version: string, platform = "linux-x64", padding = 0): Buffer {
  const top = `node-v${version}-${platform}`;
  const extra: TarEntry[] = padding > 0 ? [{ path: `${top}/include/` }, ...Array.from({ length: padding }, (_, i) => ({ path: `${top}/include/h${i}.h`, content: `/* ${i} */\n`.repeat(40) }))] : [];
  return buildTarball([
    { path: `${top}/` },
    { path: `${top}/bin/` },
    { path: `${top}/bin/node`, mode: 0o755, content: `#!/bin/sh\necho v${version}\n` },
    { path: `${top}/bin/npm`, type: "SymbolicLink", linkpath: "../lib/node_modules/npm/bin/npm-cli.js" },
    { path: `${top}/lib/` },
    { path: `${top}/lib/node_modules/` },
    { path: `${top}/lib/node_modules/npm/` },
    { path: `${top}/lib/node_modules/npm/bin/` },
    { path: `${top}/lib/node_modules/npm/bin/npm-cli.js`, mode: 0o755, content: `#!/bin/sh\necho npm-for-node-${version}\n` },
    ...extra,
  ]);
}
