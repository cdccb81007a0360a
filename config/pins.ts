import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolvers, toolNames, type ToolName } from "../resolvers/registry.js";

/** A version pin found in a file another tool reads (nvm, pyenv, asdf, go, npm). */
export interface Pin {
  readonly tool: ToolName;
  readonly spec: string;
  readonly source: string;
}

/** Where each tool's pin is looked for, most specific first; the first valid one wins. */
const sources: Array<{ file: string; read: (text: string) => Partial<Record<ToolName, string>> }> = [
  { file: ".nvmrc", read: (text) => ({ node: nvmSpec(firstLine(text)) }) },
  { file: ".node-version", read: (text) => ({ node: nvmSpec(firstLine(text)) }) },
  { file: ".python-version", read: (text) => ({ python: firstLine(text) }) },
  { file: ".tool-versions", read: toolVersions },
  { file: "go.mod", read: goMod },
  { file: "package.json", read: (text) => ({ node: (JSON.parse(text) as { engines?: { node?: string } }).engines?.node?.trim() }) },
];

/** Pins for `devenv init` without flags; unreadable or unknown pins are reported, not fatal. */
export function detectPins(dir: string, warn: (message: string) => void): Pin[] {
  const pins = new Map<ToolName, Pin>();
  for (const { file, read } of sources) {
    let found: Partial<Record<ToolName, string>>;
    try {
      found = read(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") warn(`ignoring ${file}: ${(error as Error).message}`);
      continue;
    }
    for (const [tool, spec] of Object.entries(found) as Array<[ToolName, string | undefined]>) {
      if (spec === undefined || spec === "" || pins.has(tool)) continue;
      if (resolvers[tool].isValidSpec(spec)) pins.set(tool, { tool, spec, source: file });
      else warn(`ignoring ${tool} "${spec}" from ${file}: not a version devenv can pin`);
    }
  }
  return toolNames.flatMap((tool) => pins.get(tool) ?? []);
}

function firstLine(text: string): string {
  return text.split("\n").map((line) => line.replace(/#.*/, "").trim()).find((line) => line !== "") ?? "";
}

/** nvm's spellings: `v20.1.0`, `lts/*`, `lts/iron`, `node` and `stable` for the newest release. */
function nvmSpec(spec: string): string {
  if (spec === "node" || spec === "stable") return "latest";
  if (spec === "lts/*") return "lts";
  return spec.replace(/^v(?=\d)/, "");
}

/** asdf: `nodejs 20.1.0`, `python 3.12.1 3.11.0` (the first wins), `golang 1.22.3`. */
function toolVersions(text: string): Partial<Record<ToolName, string>> {
  const names: Record<string, ToolName> = { nodejs: "node", node: "node", python: "python", golang: "go", go: "go" };
  const pins: Partial<Record<ToolName, string>> = {};
  for (const line of text.split("\n")) {
    const [name, version] = line.replace(/#.*/, "").trim().split(/\s+/);
    const tool = names[name ?? ""];
    if (tool && version && pins[tool] === undefined) pins[tool] = tool === "node" ? nvmSpec(version) : version;
  }
  return pins;
}

/** `toolchain go1.22.3` pins exactly; else the `go 1.22` line is the language version, taken as the line's newest release. */
function goMod(text: string): Partial<Record<ToolName, string>> {
  const toolchain = /^toolchain\s+go(\S+)/m.exec(text)?.[1];
  const go = /^go\s+(\S+)/m.exec(text)?.[1];
  return { go: toolchain ?? go };
}
