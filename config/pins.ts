import { readLimited } from "../files/read-limited.js";
import { join } from "node:path";
import { resolverOf, toolNames, type ToolName } from "../resolvers/registry.js";

/** A version pin found in a file another tool reads (nvm, pyenv, asdf, go, npm, bun, dvm). */
export interface Pin {
  readonly tool: ToolName;
  readonly spec: string;
  readonly source: string;
}

/** A pin file (package.json included) is small; a link to a device or a huge file is passed over. */
export const maxPinBytes = 4 << 20;
export const pinRefusal = { code: "usage", hint: "make it a regular file, or pass the versions as flags" } as const;

/**
 * Pins for `devenv init` without flags, from the files each resolver names
 * (Resolver.pins), first valid one first; unreadable or unknown pins are reported, not fatal.
 */
export function detectPins(dir: string, warn: (message: string) => void): Pin[] {
  const texts = new Map<string, string | undefined>();
  const read = (file: string) => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readLimited(join(dir, file), maxPinBytes, pinRefusal).toString("utf8"));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") warn(`ignoring ${file}: ${(error as Error).message}`);
        texts.set(file, undefined);
      }
    }
    return texts.get(file);
  };
  return toolNames().flatMap((tool) => {
    for (const source of resolverOf(tool).pins) {
      const text = read(source.file);
      if (text === undefined) continue;
      let spec: string | undefined;
      try {
        spec = source.read(text);
      } catch (error) {
        warn(`ignoring ${source.file}: ${(error as Error).message}`);
        continue;
      }
      if (spec === undefined || spec === "") continue;
      if (resolverOf(tool).isValidSpec(spec)) return [{ tool, spec, source: source.file }];
      warn(`ignoring ${tool} "${spec}" from ${source.file}: not a version devenv can pin`);
    }
    return [];
  });
}
