import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { posixExports, quotePosix } from "./posix.js";
import { promptPrefix, type Shell } from "./types.js";

/** bash reads the --rcfile instead of ~/.bashrc; ours sources ~/.bashrc first, so aliases, history and prompt stay the user's. */
export const bash: Shell = {
  exports: posixExports,
  start({ dir, vars, prompt }) {
    const rcfile = join(dir, "bashrc");
    const lines = ['if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi', posixExports(vars).trimEnd()];
    if (prompt) lines.push(`PS1=${quotePosix(promptPrefix)}"\${PS1-}"`);
    writeFileSync(rcfile, `${lines.join("\n")}\n`);
    return { args: ["--rcfile", rcfile, "-i"], env: {} };
  },
};
