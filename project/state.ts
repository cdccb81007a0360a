import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The per-project state directory (SPEC §1); declared here and nowhere else. */
export function stateLayout(root: string) {
  const dir = join(root, ".devenv");
  return {
    dir,
    history: join(dir, "history"),
    /** Temporary files of atomic writes to devenv.lock: a killed write leaves nothing in the project itself. */
    tmp: join(dir, "tmp"),
  };
}

/** Creates `.devenv/` with a .gitignore of `*`, so the project's VCS never sees it. */
export function ensureStateDir(root: string): ReturnType<typeof stateLayout> {
  const layout = stateLayout(root);
  mkdirSync(layout.dir, { recursive: true });
  const ignore = join(layout.dir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "*\n");
  return layout;
}
