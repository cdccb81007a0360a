import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { posixExports, quotePosix } from "./posix.js";
import { promptPrefix, type Shell } from "./types.js";

/**
 * zsh reads its rc files from ZDOTDIR. Ours point back at the user's own
 * (their ZDOTDIR, else HOME) for .zshenv and .zshrc, then restore ZDOTDIR, so
 * history and plugins find their files; after .zshrc the environment is applied again.
 */
export const zsh: Shell = {
  exports: posixExports,
  start({ dir, vars, prompt, outer }) {
    const user = 'DEVENV_USER_ZDOTDIR=${DEVENV_USER_ZDOTDIR:-$HOME}';
    writeFileSync(
      join(dir, ".zshenv"),
      [user, 'ZDOTDIR=$DEVENV_USER_ZDOTDIR', '[ -f "$ZDOTDIR/.zshenv" ] && . "$ZDOTDIR/.zshenv"', "DEVENV_USER_ZDOTDIR=$ZDOTDIR", `ZDOTDIR=${quotePosix(dir)}`, ""].join("\n"),
    );
    const rc = ["ZDOTDIR=$DEVENV_USER_ZDOTDIR", "unset DEVENV_USER_ZDOTDIR", '[ -f "$ZDOTDIR/.zshrc" ] && . "$ZDOTDIR/.zshrc"', posixExports(vars).trimEnd()];
    if (prompt) rc.push(`PS1=${quotePosix(promptPrefix)}"\${PS1-}"`);
    writeFileSync(join(dir, ".zshrc"), `${rc.join("\n")}\n`);
    return { args: ["-i"], env: { ZDOTDIR: dir, DEVENV_USER_ZDOTDIR: outer.ZDOTDIR ?? "" } };
  },
};
