import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devenvBin, tempDir } from "./cli.js";

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
 * A copy of bin/devenv, named `devenv` in a directory of its own, whose
 * Node.js is a recorder (`countedProgram`): every time the launcher falls
 * through to the Node.js CLI, it counts. `buildId` stands in for an upgrade.
 */
export function recordingLauncher(options: { buildId?: string } = {}) {
  const node = countedProgram("node", process.execPath);
  let launcher = readFileSync(devenvBin, "utf8").replace(/^_dv_node_bin='.*'$/m, `_dv_node_bin='${node.path}'`);
  if (options.buildId) launcher = launcher.replace(/^_dv_build_id='.*'$/m, `_dv_build_id='${options.buildId}'`);
  writeFileSync(join(node.dir, "devenv"), launcher, { mode: 0o755 });
  return {
    bin: join(node.dir, "devenv"),
    dir: node.dir,
    /** How many times Node.js was started so far. */
    nodeStarts: node.runs,
  };
}
