import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devenvBin, repoRoot, tempDir } from "./cli.js";

/**
 * `name` in a directory of its own: a script that counts its runs, then runs
 * the program `real` with the same arguments.
 */
export function countedProgram(name: string, real: string) {
  const dir = tempDir(`devenv-counted-${name}-`);
  const log = join(dir, "runs");
  writeFileSync(join(dir, name), `#!/bin/sh\necho >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  return {
    dir,
    path: join(dir, name),
    /** How many times it ran so far. */
    runs: () => (existsSync(log) ? readFileSync(log, "utf8").length : 0),
  };
}

/**
 * A copy of bin/devenv in a package of its own, laid out as npm installs one
 * (bin/devenv, dist/bundle: this build's): `bin` runs this build's CLI wherever the
 * copy is. With `node`, that is the node it was built with (dist/build-node, as in a
 * clone); without, it looks for one on PATH, as an installed copy does.
 * `buildId` stands in for an upgrade.
 */
export function launcherCopy(options: { node?: string; buildId?: string } = {}) {
  const root = tempDir("devenv-package-");
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "dist"));
  symlinkSync(join(repoRoot, "dist", "bundle"), join(root, "dist", "bundle"));
  if (options.node) writeFileSync(join(root, "dist", "build-node"), `${options.node}\n`);
  let launcher = readFileSync(devenvBin, "utf8");
  if (options.buildId) launcher = launcher.replace(/^_dv_build_id='.*'$/m, `_dv_build_id='${options.buildId}'`);
  writeFileSync(join(root, "bin", "devenv"), launcher, { mode: 0o755 });
  return { bin: join(root, "bin", "devenv"), dir: join(root, "bin"), root };
}

/**
 * A copy of bin/devenv (`launcherCopy`), named `devenv` in a directory of its
 * own, whose Node.js is a recorder (`countedProgram`): every time the launcher
 * falls through to the Node.js CLI, it counts.
 */
export function recordingLauncher(options: { buildId?: string } = {}) {
  const node = countedProgram("node", process.execPath);
  const copy = launcherCopy({ ...options, node: node.path });
  return {
    bin: copy.bin,
    dir: copy.dir,
    /** How many times Node.js was started so far. */
    nodeStarts: node.runs,
  };
}
