import { readLimited } from "../files/read-limited.js";
import { join } from "node:path";
import { miseToml, miseTools } from "../resolvers/pin-files.js";
import { aliases, canonicalName, githubName, resolverOf, toolNames, type ToolName } from "../resolvers/registry.js";

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
  const otherNames = aliases();
  const found = toolNames().flatMap((tool) => {
    // Every tool, by its name and its other names (asdf's nodejs, golang), in mise's files too.
    const names = [tool, ...[...otherNames].flatMap(([alias, name]) => (name === tool ? [alias] : []))];
    for (const source of [...resolverOf(tool).pins, miseToml("mise.toml", names), miseToml(".mise.toml", names)]) {
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
  // mise's `github:` tools, and the names neither devenv nor its aliases know, said one by one.
  for (const file of ["mise.toml", ".mise.toml", ".tool-versions"]) {
    const text = read(file);
    if (text === undefined) continue;
    for (const { name, spec } of listedTools(file, text)) {
      if (githubName.test(name) && !found.some((pin) => pin.tool === name) && resolverOf(name).isValidSpec(spec)) found.push({ tool: name, spec, source: file });
      else if (canonicalName(name) === undefined && !githubName.test(name)) warn(`ignoring ${name} "${spec}" from ${file}: devenv knows no tool by that name (\`devenv search\`; any GitHub release is github:OWNER/REPO)`);
    }
  }
  return found;
}

/** Every tool a `.tool-versions` or mise's `[tools]` names, with its first version. */
function listedTools(file: string, text: string): Array<{ name: string; spec: string }> {
  if (file !== ".tool-versions") return miseTools(text);
  return text.split("\n").flatMap((line) => {
    const [name, spec] = line.replace(/#.*/, "").trim().split(/\s+/);
    return name && spec ? [{ name, spec }] : [];
  });
}
