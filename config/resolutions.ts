import { createHash } from "node:crypto";
import { existsSync, lstatSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import type { Plugin } from "esbuild";
import { readLimited } from "../files/read-limited.js";

/** esbuild's default order of extensions for an import written without one. */
const extensions = [".tsx", ".ts", ".jsx", ".js", ".css", ".json"];

/**
 * What an import resolves to depends on files that are not read: `./lib` is `lib.ts` while there is
 * one, else `lib/index.ts`; a package is whatever its package.json's `main` or `exports` names. The
 * evaluation (and trust, and the launcher's cache) must change when that does, so this plugin, last
 * in line, asks esbuild for each resolution and records:
 * - `absent`: each path esbuild would have taken before the one it found, had it existed (a file
 *   appearing there, by a `git pull`, changes what runs);
 * - in `inputs`: the package.json that decided a package import, hashed like any file read.
 */
export function recordedResolutions(inputs: Map<string, string>, absent: Set<string>, maxBytes: number): Plugin {
  return {
    name: "devenv-recorded-resolutions",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as { devenvResolving?: boolean } | undefined)?.devenvResolving) return undefined;
        const result = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { devenvResolving: true } });
        if (result.errors.length > 0 || result.external || result.namespace !== "file") return undefined;
        if (/^\.{0,2}\//.test(args.path)) {
          for (const path of before(resolve(args.resolveDir, args.path), result.path)) if (!exists(path)) absent.add(path);
        } else {
          const manifest = packageJsonOf(result.path);
          if (manifest !== undefined && !inputs.has(manifest)) {
            inputs.set(manifest, createHash("sha256").update(readLimited(manifest, maxBytes, { code: "config-invalid", hint: "" })).digest("hex"));
          }
        }
        return { path: result.path, namespace: result.namespace, sideEffects: result.sideEffects, pluginData: result.pluginData as unknown };
      });
    },
  };
}

/** The paths esbuild tries for `base` before `found`, in its order; none when `found` is not among them. */
function before(base: string, found: string): string[] {
  const candidates = [base, ...extensions.map((ext) => base + ext), join(base, "package.json"), ...extensions.map((ext) => join(base, `index${ext}`))];
  const at = candidates.indexOf(found);
  // An import with an extension names its file; one esbuild rewrote (`./x.js` to `./x.ts`) is left as found.
  if (at === -1 || (at === 0 && extname(base) !== "")) return [];
  return candidates.slice(0, at).filter((path) => path !== join(base, "package.json"));
}

/** The nearest package.json above a file of a package. */
function packageJsonOf(file: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return manifest;
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Is every path recorded as absent still so? */
export function stillAbsent(absent: readonly string[]): boolean {
  return absent.every((path) => !exists(path));
}
