import { fileURLToPath } from "node:url";
import { activationHook } from "../../shells/activate.js";
import { quotePosix } from "../../shells/posix.js";

/**
 * `use_devenv` for direnv's stdlib (~/.config/direnv/lib/devenv.sh). direnv
 * reloads when devenv.ts or devenv.lock change; with nothing changed,
 * `devenv env` is answered by the launcher from its cache without starting
 * Node.js, and nothing is written, so direnv never sees a change it caused.
 *
 * It calls the devenv that printed it by its absolute path (as `direnv hook`
 * and `mise activate` do), so a project-local or npx install works inside
 * direnv too; if that path is gone, the one on PATH.
 */
function direnvFunction(self: string): string {
  return `# devenv: use_devenv for direnv. Save as ~/.config/direnv/lib/devenv.sh, then write \`use devenv\` in .envrc.
use_devenv() {
  watch_file devenv.ts devenv.lock
  local devenv=${quotePosix(self)} env
  [ -x "$devenv" ] || devenv=devenv
  env=$(DEVENV_LOADING=1 "$devenv" env --shell bash) || return
  eval "$env"
}
`;
}

/** This devenv's launcher: bin/devenv of the package, two levels above the bundle. */
const launcher = (): string => fileURLToPath(new URL("../../bin/devenv", import.meta.url));

export async function hookCommand(_ctx: unknown, args: Record<string, unknown>): Promise<void> {
  const target = args.target as "direnv" | "bash" | "zsh" | "fish";
  process.stdout.write(target === "direnv" ? direnvFunction(launcher()) : activationHook(target, launcher()));
}
