import { randomUUID } from "node:crypto";
import type { DevenvEnvironment } from "./types.js";

/**
 * Lines for $GITHUB_PATH and $GITHUB_ENV, which the Actions runner applies to
 * later steps. It prepends GITHUB_PATH lines one by one, so the last line
 * ends up first: devenv's directories are written in reverse.
 */
export function githubFiles(env: DevenvEnvironment): { path: string; env: string } {
  const path = [...env.dirs].reverse().map((dir) => `${dir}\n`).join("");
  const lines = Object.entries(env.vars).map(([name, value]) => {
    if (!value.includes("\n")) return `${name}=${value}\n`;
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  });
  return { path, env: lines.join("") };
}
