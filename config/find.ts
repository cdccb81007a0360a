import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DevenvError } from "../errors.js";

export const configFileName = "devenv.ts";

/** The nearest directory from `start` upwards that holds devenv.ts (SPEC §1). */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (statSync(join(dir, configFileName), { throwIfNoEntry: false })?.isFile()) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DevenvError("config-not-found", `no ${configFileName} in ${resolve(start)} or any parent directory`, {
    hint: "run `devenv init` to create one",
  });
}
