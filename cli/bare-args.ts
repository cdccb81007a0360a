import type { Options } from "yargs";
import { commandTable, globalOptions, type CommandSpec } from "./command-table.js";

/** A command and its arguments, named as yargs names them. */
export interface Chosen {
  readonly spec: CommandSpec;
  readonly args: Record<string, unknown>;
}

/**
 * The command lines devenv is given most, read without yargs (most of a cold
 * start; docs/performance.md, fourth set): what the launcher, the shell hooks and direnv call when their cache
 * is stale (`devenv run CMD`, `devenv env --shell bash`), what CI runs
 * (`devenv install --frozen`), and a command's positional words given as they
 * are (`devenv which node`, `devenv lock node go`). Each option in its plain
 * forms (`--frozen`, `--no-color`, `-q`, `--shell bash`, `--shell=bash`),
 * under every name yargs gives it. Anything else, and anything yargs would
 * refuse or convert (a number, a repeated option, a value not among its
 * choices), is left to yargs (undefined), for its reading and its messages.
 */
export function bareArgs(argv: readonly string[]): Chosen | undefined {
  const spec = commandTable.find((s) => s.name === commandName(argv));
  if (spec === undefined) return undefined;
  const known: Record<string, Options> = { ...globalOptions, ...spec.options };
  const named: Record<string, unknown> = { _: [spec.name] };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith("-")) {
      words.push(word);
      continue;
    }
    const [, no, long, inline, short] = /^(?:--(no-)?([A-Za-z][\w-]*)(?:=(.*))?|-([A-Za-z]))$/.exec(word) ?? [];
    const key = long ?? Object.keys(known).find((name) => namesOf(name, known[name]!).includes(short!));
    const option = key === undefined ? undefined : known[key];
    if (option === undefined || named[key!] !== undefined) return undefined;
    let value: unknown;
    if (option.type === "boolean") {
      if (inline !== undefined) return undefined;
      value = no === undefined;
    } else if ((option.type === "string" || (option.type === undefined && option.choices !== undefined)) && no === undefined) {
      value = inline ?? argv[++i];
      if (typeof value !== "string" || value === "" || value.startsWith("-")) return undefined;
      if (option.choices !== undefined && !(option.choices as readonly unknown[]).includes(value)) return undefined;
    } else return undefined;
    for (const name of namesOf(key!, option)) named[name] = value;
  }
  const positional = positionalWords(spec, words.slice(1));
  if (positional === undefined) return undefined;
  for (const [key, option] of Object.entries(known)) {
    if (option.default !== undefined && named[key] === undefined) for (const name of namesOf(key, option)) named[name] = option.default;
  }
  return { spec, args: { ...named, ...positional } };
}

/** How a global option that takes a value (`-C DIR`) is written: before the command, its value is no command. */
const valued = new Set(
  Object.entries(globalOptions)
    .filter(([, option]) => option.type !== "boolean")
    .flatMap(([key, option]) => namesOf(key, option))
    .flatMap((name) => [`--${name}`, ...(name.length === 1 ? [`-${name}`] : [])]),
);

/** The first word that is neither an option nor a global option's value. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (valued.has(argv[i]!)) i++;
    else if (!argv[i]!.startsWith("-")) return argv[i];
  }
  return undefined;
}

/** An option's key, its alias, and the camelCase of a dashed key (`dry-run`, `dryRun`): yargs sets them all. */
function namesOf(key: string, option: Options): string[] {
  const aliases = option.alias === undefined ? [] : [option.alias].flat();
  return [key, ...aliases, ...(key.includes("-") ? [key.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] : [])];
}

/** `words` named as yargs names them (`{ bin: "node" }`, `{ tools: ["node", "go"] }`), if yargs would take them as they are. */
function positionalWords(spec: CommandSpec, words: readonly string[]): Record<string, unknown> | undefined {
  const slots = [spec.positional, spec.then].filter((slot) => slot !== undefined);
  const named: Record<string, unknown> = {};
  for (const [i, slot] of slots.entries()) {
    const [, open, key, dots] = /^([[<])(\w+)(\.\.)?[\]>]$/.exec(slot.syntax)!;
    const taken = dots ? words.slice(i) : words.slice(i, i + 1);
    if (taken.length === 0) {
      if (open === "<") return undefined;
      continue;
    }
    const { type, choices } = slot.options;
    const asIs = choices !== undefined ? taken.every((word) => (choices as readonly unknown[]).includes(word)) : type === "string";
    if (!asIs) return undefined;
    named[key!] = dots ? taken : taken[0];
  }
  const room = slots.some((slot) => slot.syntax.endsWith("..]") || slot.syntax.endsWith("..>")) ? Infinity : slots.length;
  return words.length <= room ? named : undefined;
}
