import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { devenvBin, tempDir } from "./cli.js";

/**
 * A copy of bin/devenv, named `devenv` in a directory of its own, whose
 * Node.js is a recorder: every time the launcher falls through to the Node.js
 * CLI, one line is appended to a log. `buildId` stands in for an upgrade.
 */
export function recordingLauncher(options: { buildId?: string } = {}) {
  const dir = tempDir("devenv-launcher-");
  const log = join(dir, "node-starts");
  writeFileSync(join(dir, "node"), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  let launcher = readFileSync(devenvBin, "utf8").replace(/^_dv_node_bin='.*'$/m, `_dv_node_bin='${join(dir, "node")}'`);
  if (options.buildId) launcher = launcher.replace(/^_dv_build_id='.*'$/m, `_dv_build_id='${options.buildId}'`);
  writeFileSync(join(dir, "devenv"), launcher, { mode: 0o755 });
  return {
    bin: join(dir, "devenv"),
    dir,
    /** How many times Node.js was started so far. */
    nodeStarts: () => {
      try {
        return readFileSync(log, "utf8").split("\n").filter(Boolean).length;
      } catch {
        return 0;
      }
    },
  };
}
