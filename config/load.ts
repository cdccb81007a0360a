import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { DevenvError } from "../errors.js";
import { readLimited } from "../files/read-limited.js";
import { recordedResolutions } from "./resolutions.js";

/** One file the bundle read, and the sha256 of exactly the bytes it read. */
export interface ConfigInput {
  readonly path: string;
  readonly sha256: string;
}

/** devenv.ts bundled with everything it imports, not yet run. */
export interface ConfigBundle {
  readonly code: string;
  readonly inputs: readonly ConfigInput[];
  /** Paths that would change what an import resolves to, were a file to appear there (config/resolutions.ts). */
  readonly absent: readonly string[];
}

/**
 * What trust is given to: every file the evaluation reads (devenv.ts, its
 * local imports, the packages it imports), by path and content, in one hash.
 */
export function fingerprint(inputs: readonly ConfigInput[]): string {
  const lines = inputs.map((input) => `${input.sha256}  ${input.path}\n`).sort();
  return createHash("sha256").update(lines.join("")).digest("hex");
}

/**
 * Bundles devenv.ts with its local imports and packages into one ES module,
 * running none of it. Every file is read by devenv itself (an esbuild plugin)
 * and hashed as read: what is trusted is exactly what is evaluated.
 *
 * esbuild, not a babel-based loader, which is several times slower: this runs
 * whenever devenv.ts changes, on a path that should feel instant.
 */
export async function bundleConfig(file: string): Promise<ConfigBundle> {
  // require(), not import(): esbuild is CommonJS, and import() would first scan its source for export names.
  const { build } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const url = pathToFileURL(file).href;
  const inputs = new Map<string, string>();
  const absent = new Set<string>();
  const places = new Map<string, Place>();
  try {
    // devenv.ts sees the path it was found by, as it always has, though esbuild loads it by its real path.
    const entry = { path: file, real: realpathSync(file) };
    const result = await build({
      absWorkingDir: dirname(file),
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node}`,
      logLevel: "silent",
      // An import devenv.ts never uses is kept (TypeScript would elide it): one that cannot be resolved is an error, not silence.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      // The bundle runs from a data: URL: each file's place is a constant of its own (see placed()).
      define: { ...placeNames, ...pureGlobals },
      banner: { js: pureBanner(url) },
      plugins: [selfPlugin, pureImports, recordedResolutions(inputs, absent, maxInputBytes), hashedReads(inputs, places, entry)],
    });
    return { code: result.outputFiles[0]!.text, inputs: [...inputs].map(([path, sha256]) => ({ path, sha256 })), absent: [...absent].sort() };
  } catch (error) {
    throw loadError(file, buildMessage(error, dirname(file), places));
  }
}

/**
 * Runs the bundle and returns devenv.ts's default export, called if it is a
 * function. The bundle is imported from a `data:` URL: nothing is written
 * anywhere (not into the project, not into a temporary directory a killed
 * evaluation would leave behind), and a read-only DEVENV_HOME still evaluates.
 */
export async function evaluateBundle(bundle: ConfigBundle, file: string): Promise<unknown> {
  // Named in stack frames (V8 reads a sourceURL up to the first space) and in errors as the bundle of devenv.ts:
  // an error that quotes the module (an import that cannot resolve) would otherwise hold the whole bundle, in base64.
  const name = `${pathToFileURL(file).href}#bundled`;
  const url = `data:text/javascript;base64,${Buffer.from(`${bundle.code}\n//# sourceURL=${name}\n`).toString("base64")}`;
  // A copy, for the message and -v's stack alone: what devenv.ts threw may be frozen, and its fields anything at all.
  const renamed = (error: unknown): unknown => {
    try {
      const { message, stack } = error as { message: unknown; stack: unknown };
      if (typeof message !== "string" || !(message.includes(url) || (typeof stack === "string" && stack.includes(url)))) return error;
      return Object.assign(new Error(message.replaceAll(url, name)), { stack: typeof stack === "string" ? stack.replaceAll(url, name) : undefined });
    } catch {
      return error;
    }
  };
  let mod: { default?: unknown };
  try {
    mod = (await settled(import(url), file)) as { default?: unknown };
  } catch (error) {
    throw loadError(file, renamed(error));
  }
  if (mod.default === undefined) {
    throw new DevenvError("config-invalid", `${file} has no default export`, {
      hint: "end it with `export default defineConfig({ tools: { ... } })`",
    });
  }
  if (typeof mod.default !== "function") return mod.default;
  try {
    return await settled((async () => (mod.default as () => unknown)())(), file);
  } catch (error) {
    throw loadError(file, renamed(error));
  }
}

/**
 * The evaluation is pure, as a Nix flake's is: its result is cached by the source
 * files alone (and the launcher answers from that cache), so anything else it could
 * read (the environment, other files, the network, the clock of a child process)
 * would go stale unseen. Node's built-ins that compute (path, url, util, crypto's
 * hashes...) are allowed; those that read the world are refused at bundle time.
 */
const pureBuiltins = new Set(["assert", "assert/strict", "buffer", "crypto", "events", "path", "path/posix", "path/win32", "punycode", "querystring", "string_decoder", "url", "util", "util/types"]);
const impureBuiltins = builtinModules.filter((name) => !pureBuiltins.has(name) && !name.startsWith("_"));
const impureHint = "devenv.ts is evaluated purely, and its result cached by its source alone: write the value into devenv.ts (or a file it imports), or set it in your shell";

const pureImports: Plugin = {
  name: "devenv-pure-imports",
  setup(build) {
    const names = impureBuiltins.map((name) => name.replace(/[/]/g, "\\/")).join("|");
    build.onResolve({ filter: new RegExp(`^(node:)?(${names})$`) }, (args) => ({
      errors: [{ text: `devenv.ts cannot import ${args.path}: ${impureHint}` }],
    }));
  },
};

/**
 * Prepended to the bundle: the global `process` and `fetch` (esbuild's define swaps in
 * these for free references only, so a file's own `const fetch` stays its own) throw
 * when touched, and the require() bundled CommonJS packages call for Node's
 * built-ins refuses the impure ones as the bundler does. The bundle runs from a
 * `data:` URL, so the require() is made for devenv.ts's own URL (it loads only
 * built-ins, which resolve the same from anywhere).
 */
const pureGlobals = { process: "__devenvProcess", fetch: "__devenvFetch" };
const pureBanner = (url: string) => [
  "import { createRequire as __devenvCreateRequire } from 'node:module';",
  `const __devenvImpure = (what) => { throw new Error(\`devenv.ts cannot use \${what}: ${impureHint}\`); };`,
  "const __devenvProcess = new Proxy({}, { get: (_, key) => __devenvImpure(`process.${String(key)}`), has: () => __devenvImpure('process') });",
  "const __devenvFetch = () => __devenvImpure('fetch()');",
  `const __devenvPure = new Set(${JSON.stringify([...pureBuiltins])});`,
  `const __devenvRequire = __devenvCreateRequire(${JSON.stringify(url)});`,
  "const require = (name) => __devenvPure.has(String(name).replace(/^node:/, '')) ? __devenvRequire(name) : __devenvImpure(`require(${JSON.stringify(name)})`);",
].join("\n");

/** One file devenv.ts's evaluation reads: a regular file, of at most this size (a link to /dev/zero is refused, not read). */
export const maxInputBytes = 64 << 20;

/**
 * Loads every file of the bundle itself, recording the sha256 of the bytes it read, and
 * hands esbuild those bytes with the file's place declared in front (placed()): what the
 * place adds comes from the path, which the fingerprint holds beside the hash.
 */
function hashedReads(inputs: Map<string, string>, places: Map<string, Place>, entry: { path: string; real: string }): Plugin {
  return {
    name: "devenv-hashed-reads",
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: "file" }, (args) => {
        let contents: Buffer;
        try {
          contents = readLimited(args.path, maxInputBytes, { code: "config-invalid", hint: "devenv.ts may import regular files only" });
        } catch (error) {
          // Said as esbuild's own error, without a place in devenv's code.
          if (error instanceof DevenvError) return { errors: [{ text: error.message }] };
          throw error;
        }
        inputs.set(args.path, createHash("sha256").update(contents).digest("hex"));
        const place = placed(contents, args.path === entry.real ? entry.path : args.path);
        if (place !== undefined) places.set(args.path, place);
        return { contents: place?.contents ?? contents, loader: "default", resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * esbuild's define is one value for every file of the bundle, so it only renames: a free
 * `__dirname`, `import.meta.url`... becomes one of these names, and each file that uses
 * them declares them first with its own values. Each file is a scope of its own in the
 * bundle (CommonJS in its wrapper function, ES modules renamed apart), and a file's own
 * `const __dirname` is not free, so it stays its own.
 */
const placeNames = {
  __dirname: "__devenvDirname",
  __filename: "__devenvFilename",
  "import.meta.dirname": "__devenvDirname",
  "import.meta.filename": "__devenvFilename",
  "import.meta.url": "__devenvImportMetaUrl",
};
const scriptExtensions = new Set([".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"]);

/** A file as esbuild gets it, and where its declarations went (line, length in bytes), for buildMessage. */
interface Place {
  readonly contents: Buffer;
  readonly line: number;
  readonly length: number;
}

/**
 * The file with its place declared on its first line (after a BOM or `#!` line), or undefined
 * when it names none: `meta` cannot be written with escapes, and a file that spells
 * `__dirname` with one gets a ReferenceError, not another file's directory. Kept on the
 * same line, so every line keeps its number: only that line's columns move (buildMessage).
 */
function placed(bytes: Buffer, path: string): Place | undefined {
  if (!scriptExtensions.has(extname(path))) return undefined;
  const source = bytes.toString("utf8");
  if (!/__dirname|__filename|\bmeta\b/.test(source)) return undefined;
  const head = /^\uFEFF?(#![^\n]*\n)?/.exec(source)![0];
  const at = Buffer.byteLength(head);
  const declared = Buffer.from(`const __devenvDirname = ${JSON.stringify(dirname(path))}, __devenvFilename = ${JSON.stringify(path)}, __devenvImportMetaUrl = ${JSON.stringify(pathToFileURL(path).href)};`);
  return { contents: Buffer.concat([bytes.subarray(0, at), declared, bytes.subarray(at)]), line: head.endsWith("\n") ? 2 : 1, length: declared.length };
}

/**
 * `import ... from "devenv"` must work in a project that does not depend on
 * devenv: it resolves to this identity function (the types come from the package).
 */
const selfPlugin: Plugin = {
  name: "devenv-self",
  setup(build) {
    build.onResolve({ filter: /^devenv$/ }, () => ({ path: "devenv", namespace: "devenv-self" }));
    build.onLoad({ filter: /.*/, namespace: "devenv-self" }, () => ({ contents: "export function defineConfig(config) { return config; }", loader: "js" }));
  },
};

/** esbuild's first error, with its place in the file as the file is written. */
function buildMessage(error: unknown, workingDir: string, places: ReadonlyMap<string, Place>): unknown {
  const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
  if (first === undefined) return error;
  if (!first.location) return new Error(first.text);
  const { file, line, column } = first.location;
  const place = places.get(resolve(workingDir, file));
  const shift = place?.line === line && column >= place.length ? place.length : 0;
  return new Error(`${first.text} (line ${line}, column ${column - shift + 1})`);
}

/** How long devenv.ts may take to evaluate while something (a timer, a socket) keeps it going. */
const evaluationSeconds = 30;

/**
 * `promise`, or a timeout naming devenv.ts: one that never settles would otherwise end
 * Node.js with exit code 13 and no word (an unsettled top-level await) once nothing is
 * left to run, or hang for good while a timer of its own keeps running.
 */
function settled<T>(promise: Promise<T>, file: string): Promise<T> {
  let cancel = () => {};
  const stuck = new Promise<never>((_, reject) => {
    const fail = (why: string) => reject(new DevenvError("config-invalid", `${file} did not finish evaluating: ${why}`, { hint: "its default export (or a top-level await) must settle: resolve or reject every promise it waits for" }));
    const empty = () => fail("it waits for a promise that nothing will ever settle");
    const timer = setTimeout(() => fail(`still waiting after ${evaluationSeconds} s`), evaluationSeconds * 1000).unref();
    process.once("beforeExit", empty);
    cancel = () => {
      clearTimeout(timer);
      process.removeListener("beforeExit", empty);
    };
  });
  return Promise.race([promise, stuck]).finally(() => cancel());
}

/** devenv's own error (a timeout): `instanceof` on a Proxy devenv.ts threw runs its trap, which may throw. */
function isOurs(error: unknown): error is DevenvError {
  try {
    return error instanceof DevenvError;
  } catch {
    return false;
  }
}

/** What devenv.ts threw, in words, whatever it is: its getters, traps and prototype are its own and may throw. */
function thrownMessage(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === "string") return error.message;
  } catch {
    // a Proxy's trap or a getter threw: say what can be said below
  }
  try {
    return typeof error === "object" && error !== null ? Object.prototype.toString.call(error) : String(error);
  } catch {
    return "it threw a value that cannot be shown";
  }
}

function loadError(file: string, error: unknown): DevenvError {
  if (isOurs(error)) return error;
  const reason = thrownMessage(error);
  const firstLine = reason.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
  return new DevenvError("config-invalid", `cannot load ${file}: ${firstLine.trim()}`, {
    hint: "fix the error in devenv.ts (run with -v for the full trace)",
    cause: error,
  });
}
