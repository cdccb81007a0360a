/**
 * `use_devenv` for direnv's stdlib (~/.config/direnv/lib/devenv.sh). direnv
 * reloads when devenv.ts or devenv.lock change; with nothing changed,
 * `devenv env` is answered by the launcher from .devenv/cache without starting
 * Node.js, and nothing is written, so direnv never sees a change it caused.
 */
const direnvFunction = `# devenv: use_devenv for direnv. Save as ~/.config/direnv/lib/devenv.sh, then write \`use devenv\` in .envrc.
use_devenv() {
  watch_file devenv.ts devenv.lock
  local env
  env=$(devenv env --shell bash) || return
  eval "$env"
}
`;

export async function hookCommand(_ctx: unknown, args: Record<string, unknown>): Promise<void> {
  if (args.target === "direnv") process.stdout.write(direnvFunction);
}
