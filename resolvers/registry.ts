import { readdirSync, readFileSync } from "node:fs";
import { DevenvError } from "../errors.js";
import { recordResolver } from "./from-record.js";
import { githubRepoResolver, type GithubOptions } from "./github-repo.js";
import { go } from "./go.js";
import { node } from "./node.js";
import { python } from "./python.js";
import { parseRecord, type ToolRecord } from "./record.js";
import type { Resolver } from "./types.js";

/**
 * Every tool devenv knows: the toolchains that are code (indexes, LTS, a prefix to rewrite),
 * and every tool released as files, one record each in resolvers/records/NAME.json (copied
 * beside the build as records/), read when a project first names it. A new tool is a record.
 */
const builtins: Readonly<Record<string, Resolver>> = { node, python, go };

/** The toolchains that are code, in the order `devenv init` and the docs list them. */
export const builtinNames: readonly string[] = Object.keys(builtins);

/** `devenv init --node 20`: the flags of the toolchains devenv had before any tool could be named (`--tool node@20`). */
export const initFlags: readonly string[] = [...builtinNames, "bun", "deno"];

/** A tool's name as devenv.ts and devenv.lock write it. */
export type ToolName = string;

/** One directory above every module that imports this one: dist/resolvers/ when built, dist/bundle/ when bundled. */
const recordsDir = new URL("../records/", import.meta.url);
const recordName = /^[a-z0-9][a-z0-9.-]*$/;

const loaded = new Map<string, Resolver | undefined>();

/** The record of `name`, read and checked; undefined when there is none by that name. */
export function readRecord(name: string): ToolRecord | undefined {
  if (!recordName.test(name)) return undefined;
  let text: string;
  try {
    text = readFileSync(new URL(`${name}.json`, recordsDir), "utf8");
  } catch {
    return undefined;
  }
  return parseRecord(name, JSON.parse(text));
}

/** `github:OWNER/REPO`, any repository's releases. */
export const githubName = /^github:[\w-][\w.-]*\/[\w-][\w.-]*$/;

/** The resolver of a tool by its name (not an alias), or undefined. */
export function findResolver(name: string): Resolver | undefined {
  if (Object.hasOwn(builtins, name)) return builtins[name];
  if (githubName.test(name)) return githubRepoResolver(name);
  if (!loaded.has(name)) {
    const record = readRecord(name);
    loaded.set(name, record === undefined ? undefined : recordResolver(name, record));
  }
  return loaded.get(name);
}

export function isToolName(name: string): boolean {
  return findResolver(name) !== undefined;
}

/** The resolver of a tool that validation already admitted; a `github:` tool's with the options devenv.ts gives it. */
export function resolverOf(name: ToolName, options?: GithubOptions): Resolver {
  const found = options !== undefined && githubName.test(name) ? githubRepoResolver(name, options) : findResolver(name);
  if (found === undefined) throw unknownTool(name);
  return found;
}

/** Every record's name, sorted. */
export function recordNames(): string[] {
  return readdirSync(recordsDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/** Every tool's name: the built-in toolchains first, then the records. */
export function toolNames(): string[] {
  return [...Object.keys(builtins), ...recordNames().filter((name) => !Object.hasOwn(builtins, name))];
}

/** Other names for tools (asdf's `nodejs`, `golang`, `github-cli`), each to its devenv name. */
let aliasMap: Map<string, string> | undefined;
export function aliases(): ReadonlyMap<string, string> {
  if (aliasMap !== undefined) return aliasMap;
  const found = new Map<string, string>([
    ["nodejs", "node"],
    ["golang", "go"],
  ]);
  for (const name of recordNames()) for (const alias of readRecord(name)?.aliases ?? []) found.set(alias, name);
  aliasMap = found;
  return found;
}

/** A name devenv knows, or an alias of one, as devenv writes it. */
export function canonicalName(name: string): string | undefined {
  return isToolName(name) ? name : aliases().get(name);
}

/** An unknown name: what devenv calls it, if it is an alias, else the nearest names, and the github: form. */
export function unknownTool(name: string, kind: "usage" | "config-invalid" = "usage"): DevenvError {
  const alias = aliases().get(name);
  if (alias !== undefined) return new DevenvError(kind, `unknown tool "${name}": devenv calls it "${alias}"`, { hint: `write ${alias} instead of ${name}` });
  const near = nearestNames(name, [...toolNames(), ...aliases().keys()]);
  return new DevenvError(kind, `unknown tool "${name}"${near.length > 0 ? `; did you mean ${near.join(", ")}?` : ""}`, {
    hint: "`devenv search WORD` lists the tools devenv knows; any GitHub release is `github:OWNER/REPO`",
  });
}

/** Up to three names within a small edit distance of `name`, nearest first, or holding it. */
function nearestNames(name: string, names: readonly string[]): string[] {
  const scored = names
    .map((candidate) => ({ candidate, score: candidate.includes(name) || name.includes(candidate) ? 1 : distance(name, candidate) }))
    .filter(({ score }) => score <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return [...new Set(scored.map(({ candidate }) => aliases().get(candidate) ?? candidate))].slice(0, 3);
}

/** Levenshtein's distance between two short names. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
