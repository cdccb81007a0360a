import { basename } from "node:path";
import { bash } from "./bash.js";
import { fish } from "./fish.js";
import { sh } from "./sh.js";
import type { Shell } from "./types.js";
import { zsh } from "./zsh.js";

export const shells = { bash, zsh, fish, sh } satisfies Record<string, Shell>;
export type ShellName = keyof typeof shells;

/** The user's $SHELL when devenv knows it, else sh. The launcher's hot path makes the same choice. */
export function shellOf(shellPath: string | undefined): ShellName {
  const name = basename(shellPath ?? "");
  return name === "bash" || name === "zsh" || name === "fish" ? name : "sh";
}
