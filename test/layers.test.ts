import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { it } from "node:test";
import { toolNames } from "../resolvers/registry.js";
import { repoRoot } from "./support/cli.js";

/**
 * The layers, top to bottom (STYLE.md: cli -> project -> store/lock/config/download
 * -> resolvers/shells -> files/errors). A module may import its own folder, or
 * a folder of a lower layer; never one beside it or above it.
 */
const layers: ReadonlyArray<readonly string[]> = [["cli"], ["project"], ["store"], ["lock"], ["config"], ["download"], ["resolvers", "shells"], ["files"], ["errors.ts"]];
const rank = new Map(layers.flatMap((names, i) => names.map((name) => [name, i] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** The top folder (or top-level file) a path of the repository belongs to. */
const place = (path: string) => relative(repoRoot, path).split("/")[0]!;

it("no module imports from a layer above it, or from a folder beside it", () => {
  const files = [...rank.keys()].flatMap((name) => (name.endsWith(".ts") ? [join(repoRoot, name)] : sources(join(repoRoot, name))));
  assert.ok(files.length > 50, `read ${files.length} modules`);
  const upward: string[] = [];
  for (const file of files) {
    const from = place(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const to = place(resolve(dirname(file), specifier!).replace(/\.js$/, ".ts"));
      if (to === from || !rank.has(to)) continue;
      if (rank.get(to)! <= rank.get(from)!) upward.push(`${relative(repoRoot, file)} imports ${specifier} (${to} is not below ${from})`);
    }
  }
  assert.deepEqual(upward, []);
});

it("README and SPEC name every registered toolchain: its mirror variable, and init's flag for it", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const spec = readFileSync(join(repoRoot, "..", "shared", "SPEC.md"), "utf8");
  for (const tool of toolNames) {
    const variable = `DEVENV_${tool.toUpperCase()}_MIRROR`;
    assert.match(readme, new RegExp(`^\\| \`${variable}\` \\|`, "m"), `README's mirror table has ${variable}`);
    assert.match(spec, new RegExp(`\`${variable}\``), `SPEC names ${variable}`);
    assert.match(spec, new RegExp(`\\[--${tool} S\\]`), `SPEC's init has --${tool}`);
  }
});
