import { realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DevenvError } from "../errors.js";

export const configFileName = "devenv.ts";

/**
 * The nearest directory from `start` upwards that holds devenv.ts (SPEC §1),
 * walking the physical path as the launcher does: one project, by one name,
 * however it is reached through symbolic links.
 */
export function findProjectRoot(start: string): string {
  let dir = realpathSync(resolve(start));
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
