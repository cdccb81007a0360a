import { chmodSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ScriptSpec } from "../config/scripts.js";
import { writeFileAtomic } from "../files/atomic.js";

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Writes devenv.ts's scripts into `dir` (the project's state in DEVENV_HOME, where no repository can ship an
 * executable): each one `sh -c RUN`, its arguments appended (`devenv run test --grep x`), run where it is
 * called from; the ones devenv.ts no longer has go.
 */
export function writeScripts(dir: string, scripts: readonly ScriptSpec[]): void {
  if (scripts.length === 0) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const script of scripts) {
    const file = join(dir, script.name);
    const about = script.description === undefined ? "" : `# ${script.description}\n`;
    writeFileAtomic(file, `#!/bin/sh\n# devenv.ts's script ${script.name}\n${about}exec sh -c ${quote(`${script.run} "$@"`)} ${quote(script.name)} "$@"\n`, 0o700, { flush: false });
    chmodSync(file, 0o700);
  }
  for (const name of readdirSync(dir)) if (!scripts.some((script) => script.name === name)) rmSync(join(dir, name), { force: true });
}
