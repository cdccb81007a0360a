// After tsc (which type-checks and builds dist/ for the tests):
// 1. bundles the CLI into dist/bundle/ with esbuild: one file to load instead of
//    hundreds of modules (docs/performance.md, fourth set). Every command is in main.js;
//    each dynamic import (yargs, undici, the unpackers) stays a chunk of its own, loaded when needed;
// 2. copies dist/config/define.d.ts to define.d.cts, which package.json's "require" condition names:
//    under module node16, a CommonJS file (no "type": "module") may not import what TypeScript takes
//    for an ES module, as a .d.ts in this package is; a .d.cts declares CommonJS. At run time
//    Node >= 20.19 require()s define.js itself;
// 3. copies the records (resolvers/records/*.json) to dist/records/;
// 4. generates bin/devenv from cli/launcher.sh. The build id is a hash of
//    everything the launcher and the CLI are made of: it changes exactly when
//    devenv does, so an upgrade invalidates every cached environment.
//    The launcher names no path of this machine: the package npm packs from any
//    clone is byte for byte the same, and an installed copy finds its own files.
//    The node that built it, which the clone keeps running on, is named in
//    dist/build-node, which package.json's "files" leaves out of the package.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const template = readFileSync(join(root, "cli", "launcher.sh"), "utf8");

// Chunks are named by content hash: without this, every build would leave the last one's beside it.
rmSync(join(dist, "bundle"), { recursive: true, force: true });
await build({
  // The unpacking workers are entries of their own, beside main.js, where the URLs in store/ find them.
  entryPoints: [join(root, "cli", "main.ts"), { in: join(root, "store", "tar-worker.ts"), out: "tar-worker" }, { in: join(root, "store", "zip-worker.ts"), out: "zip-worker" }],
  outdir: join(dist, "bundle"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  // esbuild finds its own binary at run time; it is loaded only to evaluate devenv.ts.
  // typescript parses devenv.ts for `add` and `remove` only: loaded from node_modules when they run.
  external: ["esbuild", "typescript"],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __devenvCreateRequire } from 'node:module'; const require = __devenvCreateRequire(import.meta.url);" },
  logLevel: "warning",
});

// The records, one directory above both dist/resolvers/ and dist/bundle/, where resolvers/registry.ts finds them.
rmSync(join(dist, "records"), { recursive: true, force: true });
mkdirSync(join(dist, "records"));
for (const file of readdirSync(join(root, "resolvers", "records")).filter((name) => name.endsWith(".json"))) {
  copyFileSync(join(root, "resolvers", "records", file), join(dist, "records", file));
}

// The types of `import ... from "devenv"` for a devenv.ts that is CommonJS (see 2. above).
copyFileSync(join(dist, "config", "define.d.ts"), join(dist, "config", "define.d.cts"));

// Of the code the package ships, not of whatever else dist/ holds (tests, files of deleted sources):
// the same commit gives the same id in any clone.
const hash = createHash("sha256").update(template);
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).forEach((entry) => {
  const path = join(dir, entry.name);
  if (entry.isDirectory()) walk(path);
  else if (entry.name.endsWith(".js") || entry.name.endsWith(".json")) hash.update(path.slice(dist.length)).update(readFileSync(path));
});
walk(join(dist, "bundle"));
walk(join(dist, "records"));
const buildId = hash.digest("hex").slice(0, 16);

// The launcher finds the project's state in DEVENV_HOME by the names layout.ts declares.
const { projectState, storeLayout } = await import(pathToFileURL(join(dist, "layout.js")).href);
const state = projectState(storeLayout("/HOME"), "/ROOT");
const [projects, leaf] = state.dir.slice("/HOME/".length).split("/ROOT/");
const names = { PROJECTS: projects, STATE_LEAF: leaf, ENV_FILE: basename(state.env), WATCHED: basename(state.watched("GEN")).replace("GEN", ""), COPIES: basename(state.copies("GEN")).replace("GEN", "") };
for (const [name, prefix] of [["watched", names.WATCHED], ["copies", names.COPIES]]) {
  if (state[name]("GEN") !== join(state.dir, `${prefix}GEN`)) throw new Error(`cli/launcher.sh names the ${name} directory <prefix><snapshot>`);
}

// The oldest Node.js devenv runs on, from package.json's engines (">=20.19"): the launcher starts no older one.
const { engines } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const [, major, minor] = /^>=(\d+)\.(\d+)$/.exec(engines.node) ?? [];
if (major === undefined) throw new Error(`package.json's engines.node is ${engines.node}; the launcher reads only >=MAJOR.MINOR`);
const [ownMajor, ownMinor] = process.versions.node.split(".").map(Number);
const nodeFits = ownMajor > Number(major) || (ownMajor === Number(major) && ownMinor >= Number(minor));

// The launcher reads what project/cache.ts writes, each `_dv_cache_<name>`, and nothing else.
const { cacheVariables } = await import(pathToFileURL(join(dist, "project", "cache.js")).href);
const read = new Set([...template.matchAll(/_dv_cache_(\w+)/g)].map((match) => match[1]));
for (const name of read) if (!cacheVariables.includes(name)) throw new Error(`cli/launcher.sh reads _dv_cache_${name}, which project/cache.ts does not write`);
for (const name of cacheVariables) if (!read.has(name)) throw new Error(`project/cache.ts writes _dv_cache_${name}, which cli/launcher.sh never reads`);

const values = { BUILD_ID: buildId, PLATFORM: process.platform, NODE_MIN: `${major}.${minor}`, NODE_MAJOR: major, NODE_MINOR: minor, ...names };
for (const [name, value] of Object.entries(values)) {
  if (value.includes("'") || /[$`"\\]/.test(value)) throw new Error(`${name} contains a character the launcher cannot quote: ${value}`);
}
const launcher = template.replace(/@([A-Z_]+)@/g, (match, name) => {
  if (values[name] === undefined) throw new Error(`cli/launcher.sh names ${match}, which the build does not know`);
  return values[name];
});

writeFileSync(join(dist, "build-id"), `${buildId}\n`);
// A node too old to run devenv is not named: the launcher then looks for one on PATH.
if (nodeFits) writeFileSync(join(dist, "build-node"), `${process.execPath}\n`);
else rmSync(join(dist, "build-node"), { force: true });
mkdirSync(join(root, "bin"), { recursive: true });
const target = join(root, "bin", "devenv");
writeFileSync(`${target}.tmp`, launcher);
chmodSync(`${target}.tmp`, 0o755);
renameSync(`${target}.tmp`, target);
