import { statSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot } from "../../config/find.js";
import { listDir } from "../../files/tree.js";
import { readLock } from "../../lock/lockfile.js";
import { resolverOf, toolNames } from "../../resolvers/registry.js";
import { quotePosix } from "../../shells/posix.js";
import { entryPath } from "../../layout.js";
import { commandTable, globalOptions, type CommandSpec } from "../command-table.js";
import type { Context } from "../context.js";

/**
 * `devenv completion bash|zsh|fish` prints a completion script built from the
 * command table: commands, their flags, tool names, and for `run` and `which`
 * the binaries of the locked toolchains, which the script asks for with
 * `devenv completion binaries` (the lock and the store only: no project code runs).
 */
export async function completionCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const shell = args.shell as string;
  if (shell === "binaries") {
    for (const name of lockedBinaries(ctx)) process.stdout.write(`${name}\n`);
    return;
  }
  process.stdout.write({ bash: bashScript, zsh: zshScript, fish: fishScript }[shell as "bash" | "zsh" | "fish"]());
}

/** The executables in the bin directories of this platform's installed, locked toolchains. */
function lockedBinaries(ctx: Context): string[] {
  let lock;
  try {
    lock = readLock(findProjectRoot(ctx.cwd))?.lock;
  } catch {
    return []; // no project, or a lock that does not read: nothing to offer, and nothing to say while completing
  }
  const names = new Set<string>();
  for (const [tool, locked] of Object.entries(lock?.tools ?? {})) {
    const artifact = locked.platforms[ctx.platform];
    if (artifact === undefined) continue;
    for (const dir of resolverOf(tool).activate(entryPath(ctx.layout, tool, locked.version, artifact.sha256)).bin) {
      for (const name of listDir(dir)) if (isExecutable(join(dir, name))) names.add(name);
    }
  }
  return [...names].sort();
}

function isExecutable(path: string): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isFile() && (stat.mode & 0o111) !== 0;
}

/** `--name` and `-a` for every option of a table. */
function flags(options: CommandSpec["options"]): string[] {
  return Object.entries(options ?? {}).flatMap(([name, option]) => {
    const alias = typeof option.alias === "string" ? [option.alias] : [];
    return [name.length === 1 ? `-${name}` : `--${name}`, ...alias.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
  });
}

/** What a command's positional completes to, as a shell word list or the binaries lookup. */
function positionalWords(spec: CommandSpec): { words: string[]; binaries: boolean } {
  const completes = spec.positional?.completes;
  if (completes === "binaries") return { words: [], binaries: true };
  if (completes === "tools") return { words: [...toolNames()], binaries: false };
  return { words: completes === undefined ? [] : [...completes], binaries: false };
}

/** Options whose value is one of a few words: `env --shell`. */
function choices(): Array<{ flag: string; words: string[] }> {
  return commandTable.flatMap((spec) =>
    Object.entries(spec.options ?? {}).flatMap(([name, option]) => (Array.isArray(option.choices) ? [{ flag: `--${name}`, words: option.choices.map(String) }] : [])),
  );
}

const globalFlags = flags(globalOptions);

function bashScript(): string {
  const branches = commandTable.map((spec) => {
    const { words, binaries } = positionalWords(spec);
    const list = quotePosix([...flags(spec.options), ...globalFlags, ...words].join(" "));
    // run: the command to run, then whatever that command takes (files, by default).
    // File names are data: read line by line and matched as a literal prefix, never through
    // \`compgen -W\`, which expands \`$(...)\` in its word list.
    const lookup = binaries ? `\n      if [ -z "$arg" ]; then while IFS= read -r _dv_bin; do [[ $_dv_bin == "$cur"* ]] && COMPREPLY+=("$_dv_bin"); done < <(_devenv_binaries); else compopt -o default; COMPREPLY=(); return; fi` : "";
    return `    ${spec.name})${lookup}\n      COMPREPLY+=($(compgen -W ${list} -- "$cur")) ;;`;
  });
  const choiceBranches = choices().map(({ flag, words }) => `    ${flag}) COMPREPLY=($(compgen -W ${quotePosix(words.join(" "))} -- "$cur")); return ;;`);
  return `# devenv completion for bash. In ~/.bashrc: eval "$(devenv completion bash)"
_devenv_binaries() { devenv completion binaries 2> /dev/null; }
_devenv() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} command= arg= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -C) ((i++)) ;;
      -*) ;;
      *) if [ -z "$command" ]; then command=\${COMP_WORDS[i]}; else arg=\${COMP_WORDS[i]}; fi ;;
    esac
  done
  COMPREPLY=()
  case $prev in
    -C) compopt -o dirnames; return ;;
${choiceBranches.join("\n")}
  esac
  case $command in
    '') COMPREPLY=($(compgen -W ${quotePosix([...commandTable.map((c) => c.name), ...globalFlags].join(" "))} -- "$cur")) ;;
${branches.join("\n")}
  esac
}
complete -F _devenv devenv
`;
}

function zshScript(): string {
  const described = commandTable.map((spec) => quotePosix(`${spec.name}:${spec.describe.replaceAll(":", "\\:")}`)).join(" ");
  const branches = commandTable.map((spec) => {
    const { words, binaries } = positionalWords(spec);
    const list = [...flags(spec.options), ...globalFlags, ...words].map(quotePosix).join(" ");
    const lookup = binaries ? `\n      if [[ -z $arg ]]; then compadd -- \${(f)"$(devenv completion binaries 2> /dev/null)"}; else _files; return; fi` : "";
    return `    ${spec.name})${lookup}\n      compadd -- ${list} ;;`;
  });
  const choiceBranches = choices().map(({ flag, words }) => `    ${flag}) compadd -- ${words.map(quotePosix).join(" ")}; return ;;`);
  return `#compdef devenv
# devenv completion for zsh. In ~/.zshrc, after compinit: source <(devenv completion zsh)
_devenv() {
  local command= arg= i
  for ((i = 2; i < CURRENT; i++)); do
    case $words[i] in
      -C) ((i++)) ;;
      -*) ;;
      *) if [[ -z $command ]]; then command=$words[i]; else arg=$words[i]; fi ;;
    esac
  done
  case $words[CURRENT-1] in
    -C) _directories; return ;;
${choiceBranches.join("\n")}
  esac
  case $command in
    '')
      local -a commands=(${described})
      _describe command commands
      compadd -- ${globalFlags.map(quotePosix).join(" ")} ;;
${branches.join("\n")}
  esac
}
compdef _devenv devenv
`;
}

function fishScript(): string {
  const fish = (value: string) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  const lines = [
    "# devenv completion for fish. In ~/.config/fish/config.fish: devenv completion fish | source",
    "# True while the command line has `devenv run` (or which) and no command to run yet.",
    "function __devenv_wants_binary",
    "    set -l tokens (commandline -opc)",
    "    set -l seen 0",
    "    for token in $tokens[2..-1]",
    "        if test $seen = 1; and not string match -q -- '-*' $token",
    "            return 1",
    "        end",
    "        contains -- $token run which; and set seen 1",
    "    end",
    "    test $seen = 1",
    "end",
    "complete -c devenv -f",
    ...Object.entries(globalOptions).map(([name, option]) =>
      `complete -c devenv ${name.length === 1 ? `-s ${name}` : `-l ${name}`}${typeof option.alias === "string" ? ` -s ${option.alias}` : ""}${option.requiresArg ? " -x -a '(__fish_complete_directories)'" : ""} -d ${fish(String(option.describe))}`,
    ),
  ];
  for (const spec of commandTable) {
    lines.push(`complete -c devenv -n __fish_use_subcommand -a ${spec.name} -d ${fish(spec.describe)}`);
    const seen = `'__fish_seen_subcommand_from ${spec.name}'`;
    for (const [name, option] of Object.entries(spec.options ?? {})) {
      const values = Array.isArray(option.choices) ? ` -x -a ${fish(option.choices.join(" "))}` : option.requiresArg ? " -x" : "";
      lines.push(`complete -c devenv -n ${seen} -l ${name}${values} -d ${fish(String(option.describe))}`);
    }
    const { words, binaries } = positionalWords(spec);
    if (words.length > 0) lines.push(`complete -c devenv -n ${seen} -a ${fish(words.join(" "))}`);
    if (binaries) lines.push(`complete -c devenv -n '__fish_seen_subcommand_from ${spec.name}; and __devenv_wants_binary' -a '(devenv completion binaries 2>/dev/null)'`);
  }
  return `${lines.join("\n")}\n`;
}
