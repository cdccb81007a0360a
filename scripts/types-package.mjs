// Builds dist/types/: the types-only package `devenv-types` (README, "Types for devenv.ts").
// `npm install -D devenv@npm:devenv-types` gives a project's editor and tsc the types of
// `import { defineConfig } from "devenv"` without devenv itself: no dependencies, no engines,
// nothing to run at install, so it never warns under a project's older pinned node.
// At run time devenv resolves "devenv" to itself; the tiny define.js here only serves a
// project that imports devenv.ts from its own code.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "types");
const { version, license, homepage, bugs, repository } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
copyFileSync(join(root, "dist", "config", "define.d.ts"), join(out, "index.d.ts"));
copyFileSync(join(root, "dist", "config", "define.d.ts"), join(out, "index.d.cts"));
writeFileSync(join(out, "index.js"), "export function defineConfig(config) {\n  return config;\n}\n");
writeFileSync(join(out, "index.cjs"), "exports.defineConfig = (config) => config;\n");
const manifest = {
  name: "devenv-types",
  version,
  description: "Types for devenv.ts (devenv-cli), and nothing else: no dependencies, no engines.",
  license,
  homepage,
  bugs,
  repository,
  type: "module",
  main: "./index.cjs",
  types: "./index.d.ts",
  exports: { ".": { import: { types: "./index.d.ts", default: "./index.js" }, require: { types: "./index.d.cts", default: "./index.cjs" } } },
  files: ["index.js", "index.cjs", "index.d.ts", "index.d.cts"],
};
writeFileSync(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
