import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { it } from "node:test";
import { builtinNames, initFlags, resolverOf, toolNames } from "../../resolvers/registry.js";
import { repoRoot } from "../support/cli.js";

/**
 * The layers, top to bottom (STYLE.md: cli -> project -> store/lock/config/download
 * -> resolvers/shells/services -> files -> layout/errors). A module may import its own folder, or
 * a folder of a lower layer; never one beside it or above it.
 */
const layers: ReadonlyArray<readonly string[]> = [["cli"], ["project"], ["store"], ["lock"], ["config"], ["download"], ["resolvers", "shells", "services"], ["files"], ["layout.ts", "errors.ts"]];
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

it("README and docs/spec.md name every mirror variable a tool has, and init's flags", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const spec = readFileSync(join(repoRoot, "docs", "spec.md"), "utf8");
  const variables = new Set(toolNames().flatMap((tool) => resolverOf(tool).mirrorVariable ?? []));
  assert.ok(variables.has("DEVENV_GITHUB_MIRROR"), "every release on GitHub has one mirror variable");
  for (const variable of variables) {
    assert.match(readme, new RegExp(`^\\| \`${variable}\` \\|`, "m"), `README's mirror table has ${variable}`);
    assert.match(spec, new RegExp(`\`${variable}\``), `SPEC names ${variable}`);
  }
  assert.match(spec, /\[--tool TOOL@SPEC\]\.\.\./, "SPEC's init has --tool");
  for (const tool of initFlags) assert.match(spec, new RegExp(`\\[--${tool} S\\]`), `SPEC's init has --${tool}`);
});

/** The texts a reader follows links in: README and docs/. */
const texts = () => [join(repoRoot, "README.md"), ...readdirSync(join(repoRoot, "docs")).map((name) => join(repoRoot, "docs", name))];

it("README and docs link only files the repository has, and nothing outside it", () => {
  const broken: string[] = [];
  for (const file of texts()) {
    for (const [, target] of readFileSync(file, "utf8").matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const path = resolve(dirname(file), target!);
      const inside = !relative(repoRoot, path).startsWith("..");
      if (!inside || !existsSync(path)) broken.push(`${relative(repoRoot, file)} links ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

it("no source, test or script reads outside the repository (the contract is docs/spec.md)", () => {
  const dirs = [...rank.keys()].filter((name) => !name.endsWith(".ts")).concat(["test", "scripts", "bench"]);
  const files = dirs.flatMap((name) => sourcesAndScripts(join(repoRoot, name)));
  const outside = files.filter((file) => /["'`]\.\.["'`],\s*["'`]shared["'`]|\.\.\/shared\//.test(readFileSync(file, "utf8")));
  assert.deepEqual(outside.map((file) => relative(repoRoot, file)), []);
});

it("package.json says where the project lives and names every toolchain that is code", () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Record<string, unknown>;
  for (const key of ["repository", "homepage", "bugs"]) assert.ok(manifest[key], `package.json has ${key}`);
  for (const tool of builtinNames) assert.match(String(manifest.description), new RegExp(`\\b${tool}\\b`), `the description names ${tool}`);
});

function sourcesAndScripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesAndScripts(path);
    return /\.(ts|mjs|sh)$/.test(path) && !path.endsWith(".d.ts") ? [path] : [];
  });
}

it("every test lives in a folder test/README.md names, and no two test files share a name", () => {
  const readme = readFileSync(join(repoRoot, "test", "README.md"), "utf8");
  const folders = [...readme.matchAll(/^\| `(\w+)\/` \|/gm)].map((match) => match[1]!);
  assert.ok(folders.length >= 5, folders.join(", "));
  const tests = sourcesAndScripts(join(repoRoot, "test")).filter((file) => file.endsWith(".test.ts")).map((file) => relative(join(repoRoot, "test"), file));
  assert.deepEqual(tests.filter((file) => !folders.includes(file.split("/")[0]!) || file.split("/").length !== 2), []);
  const names = tests.map((file) => file.split("/")[1]!.replace(/s?\.test\.ts$/, ""));
  assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), [], "shell/shells, trust/trust: one name, one file");
});
