import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { posixExports, quotePosix } from "./posix.js";
import { promptPrefix, type Shell } from "./types.js";

/** Any other shell runs as a POSIX sh, which reads $ENV when interactive; ours sources the user's $ENV first. */
export const sh: Shell = {
  exports: posixExports,
  start({ dir, vars, prompt, outer }) {
    const rc = join(dir, "env.sh");
    const lines = [outer.ENV ? `. ${quotePosix(outer.ENV)}` : "", posixExports(vars).trimEnd()];
    if (prompt) lines.push(`PS1=${quotePosix(promptPrefix)}"\${PS1-\\$ }"`);
    writeFileSync(rc, `${lines.join("\n")}\n`);
    return { args: ["-i"], env: { ENV: rc } };
  },
};
