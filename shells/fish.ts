import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promptPrefix, type Shell } from "./types.js";

/** fish single quotes: only `\\` and `\'` are escapes inside them; newlines are literal. */
export function quoteFish(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** `set -gx` lines; PATH is a list in fish, one element per directory. */
export function fishExports(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      const values = name === "PATH" ? value.split(":").filter((dir) => dir !== "") : [value];
      return `${["set -gx", name, ...values.map(quoteFish)].join(" ")}\n`;
    })
    .join("");
}

/** --init-command runs after config.fish; the prompt is wrapped, not replaced. */
export const fish: Shell = {
  exports: fishExports,
  start({ dir, vars, prompt }) {
    const init = join(dir, "init.fish");
    const lines = [fishExports(vars).trimEnd()];
    if (prompt) {
      lines.push(
        "if functions -q fish_prompt",
        "    functions -c fish_prompt __devenv_fish_prompt",
        `    function fish_prompt; printf '%s' ${quoteFish(promptPrefix)}; __devenv_fish_prompt; end`,
        "end",
      );
    }
    writeFileSync(init, `${lines.join("\n")}\n`);
    return { args: ["--init-command", `source ${quoteFish(init)}`, "--interactive"], env: {} };
  },
};
