import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, describe, it } from "node:test";
import { resolverOf, toolNames } from "../../resolvers/registry.js";
import { repoRoot, run, tempDir, type Result } from "../support/cli.js";


/** The tsconfig options that decide how `import ... from "devenv"` resolves, and the project's package.json "type". */
const setups: Record<string, { module: string; moduleResolution: string; type?: "module" }> = {
  node10: { module: "commonjs", moduleResolution: "node10" },
  "node16, CommonJS": { module: "node16", moduleResolution: "node16" },
  "node16, ES module": { module: "node16", moduleResolution: "node16", type: "module" },
  nodenext: { module: "nodenext", moduleResolution: "nodenext", type: "module" },
  bundler: { module: "esnext", moduleResolution: "bundler", type: "module" },
};

const config = (form: string) => `import { defineConfig } from "devenv";\n\nexport default defineConfig(${form});\n`;

/** Each tool, with every variant its resolver offers, in each form devenv.ts may take. */
const everyTool = toolNames().map((name) => `${JSON.stringify(name)}: "1"`).join(", ");
const everyVariant = toolNames().flatMap((name) => (resolverOf(name).variants ?? []).map((variant) => `async () => ({ tools: { ${JSON.stringify(name)}: { version: "1", variant: "${variant}" } } })`));
const valid: Record<string, string> = {
  "devenv.ts": readFileSync(join(repoRoot, "devenv.example.ts"), "utf8"),
  "every-form.ts": [
    `import { defineConfig, type DevenvConfig } from "devenv";`,
    `export const object = defineConfig({ tools: { ${everyTool} }, env: { APP_ENV: "dev" }, path: ["node_modules/.bin"] });`,
    `export const sync = defineConfig(() => ({ tools: { ${toolNames().map((name) => `${JSON.stringify(name)}: { version: "1" }`).join(", ")} } }));`,
    `export const variants = [${everyVariant.map((form) => `defineConfig(${form})`).join(", ")}];`,
    `export const branches = defineConfig(async () => { if (await Promise.resolve(true)) return { tools: { node: "20" } }; return { env: { APP_ENV: "ci" } }; });`,
    `export const up = defineConfig({ tools: { postgres: "17", "github:sharkdp/fd": { version: "10", asset: "*-musl.tar.gz", bin: ["fd"] } }, services: { postgres: { port: 5433, databases: ["app"] } }, processes: { web: { run: "npm run dev", after: ["postgres"], ready: { http: "http://127.0.0.1:3000/", timeout: 30 }, restart: "on-failure", env: { PORT: "3000" }, cwd: "web", stop: { signal: "SIGINT", grace: 5 } }, worker: "node worker.js", db: { run: "x", ready: { tcp: 5432 } } } });`,
    `const typed: DevenvConfig = { tools: { node: "20" } };`,
    `export default defineConfig(() => typed);`,
    "",
  ].join("\n"),
};

/** A devenv.ts with a mistake, and the key tsc must name for it (or report the error at). */
const typos: Record<string, { key: string; source: string }> = {
  "evn.ts": { key: "evn", source: config(`{ tools: { node: "20" }, evn: { APP_ENV: "dev" } }`) },
  "paths.ts": { key: "paths", source: config(`{ paths: ["node_modules/.bin"] }`) },
  "nod.ts": { key: "nod", source: config(`{ tools: { nod: "20" } }`) },
  "env-number.ts": { key: "PORT", source: config(`{ env: { PORT: 3000 } }`) },
  "tool-option.ts": { key: "varient", source: config(`{ tools: { bun: { version: "1.2", varient: "baseline" } } }`) },
  "variant-of-node.ts": { key: "variant", source: config(`{ tools: { node: { version: "20", variant: "baseline" } } }`) },
  "function-evn.ts": { key: "evn", source: config(`() => ({ tools: { node: "20" }, evn: { APP_ENV: "dev" } })`) },
  "function-env-number.ts": { key: "PORT", source: config(`() => ({ env: { PORT: 3000 } })`) },
  "function-tool-option.ts": { key: "varsion", source: config(`() => ({ tools: { go: { varsion: "1.22" } } })`) },
  "process-option.ts": { key: "rnu", source: config(`{ processes: { web: { rnu: "npm run dev" } } }`) },
  "service-option.ts": { key: "prot", source: config(`{ services: { postgres: { prot: 5433 } } }`) },
  "async-nod.ts": { key: "nod", source: config(`async () => ({ tools: { node: "20", nod: "20" } })`) },
  "async-paths.ts": { key: "paths", source: config(`async () => {\n  const line = await Promise.resolve("20");\n  return { tools: { node: line }, paths: ["node_modules/.bin"] };\n}`) },
};

interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** The error and its elaboration, without the file and position. */
  message: string;
}

/** tsc --pretty false: `file(line,col): error TSnnnn: text`, elaborated on the indented lines below. */
function diagnostics(output: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const text of output.split("\n")) {
    const head = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(text);
    if (head) found.push({ file: head[1]!, line: Number(head[2]), column: Number(head[3]), message: head[4]! });
    else if (/^\s/.test(text) && found.length > 0) found[found.length - 1]!.message += `\n${text}`;
    else if (text.trim() !== "") found.push({ file: "", line: 0, column: 0, message: text });
  }
  return found;
}

/** Where `key:` first stands in `source`, as tsc counts (1-based). */
function positionOf(key: string, source: string): { line: number; column: number } {
  const before = source.slice(0, source.indexOf(`${key}:`)).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * node_modules/devenv as npm would install it: package.json and the files its main, types and
 * exports name, nothing else, so that a declaration file importing anything unshipped fails here.
 */
function installDevenv(project: string): void {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { main?: unknown; types?: unknown; exports?: unknown };
  const named = (value: unknown): string[] => (typeof value === "string" ? [value] : typeof value === "object" && value !== null ? Object.values(value).flatMap(named) : []);
  const target = join(project, "node_modules", "devenv");
  mkdirSync(target, { recursive: true });
  copyFileSync(join(repoRoot, "package.json"), join(target, "package.json"));
  for (const file of new Set(named([manifest.main, manifest.types, manifest.exports]))) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(repoRoot, file), join(target, file));
  }
}

function writeProject(setup: { module: string; moduleResolution: string; type?: "module" }): string {
  const dir = tempDir("devenv-types-");
  const { type, ...resolution } = setup;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "project", private: true, ...(type ? { type } : {}) }));
  // skipLibCheck off: devenv's own declarations must check too, with no @types and no lib but ES2022's (the DOM alone triples tsc's time).
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...resolution, target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: false, types: [] }, include: ["*.ts"] }));
  installDevenv(dir);
  for (const [name, source] of Object.entries({ ...valid, ...Object.fromEntries(Object.entries(typos).map(([name, typo]) => [name, typo.source])) })) {
    writeFileSync(join(dir, name), source);
  }
  return dir;
}

const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

describe("devenv.ts is checked as you type", () => {
  const results = new Map<string, Result>();
  // One tsc per resolution, all at once: each takes about a second.
  before(async () => {
    await Promise.all(
      Object.entries(setups).map(async ([name, setup]) => {
        const dir = writeProject(setup);
        results.set(name, await run(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", dir], { cwd: dir, env: process.env }));
      }),
    );
  });

  for (const name of Object.keys(setups)) {
    it(`${name}: the types resolve, and the valid configs pass`, () => {
      const result = results.get(name)!;
      const unexpected = diagnostics(result.stdout + result.stderr).filter((d) => !(d.file in typos));
      assert.deepEqual(unexpected, [], result.stdout);
    });

    it(`${name}: each mistake fails, tsc naming the key`, () => {
      const found = diagnostics(results.get(name)!.stdout);
      const missed = Object.entries(typos).flatMap(([file, { key, source }]) => {
        const at = positionOf(key, source);
        const mine = found.filter((d) => d.file === file);
        const named = mine.some((d) => new RegExp(`\\b${key}\\b`).test(d.message) || (d.line === at.line && d.column === at.column));
        return named ? [] : [`${file}: no error naming ${key}${mine.map((d) => `\n  ${d.line},${d.column}: ${d.message}`).join("")}`];
      });
      assert.deepEqual(missed, []);
    });
  }
});
