import type { Options, PositionalOptions } from "yargs";
import { initFlags } from "../resolvers/registry.js";
/** What a command's positional argument is: completion offers these. */
export type Completes = "tools" | "binaries" | readonly string[];

/** One command of the CLI, as data: yargs is built from it (cli/main.ts), and so are the shell completions. */
export interface CommandSpec {
  readonly name: string;
  readonly describe: string;
  /** The positional, in yargs' syntax (`[tools..]`, `<bin>`), and what it is. */
  readonly positional?: { readonly syntax: string; readonly options: PositionalOptions; readonly completes?: Completes };
  /** A second, optional positional after the first (`versions <tool> [spec]`); completion offers nothing for it. */
  readonly then?: { readonly syntax: string; readonly options: PositionalOptions };
  readonly options?: Readonly<Record<string, Options>>;
}

export const globalOptions: Readonly<Record<string, Options>> = {
  C: { type: "string", describe: "run as if started in DIR", requiresArg: true },
  frozen: { type: "boolean", describe: "fail if devenv.lock must change" },
  offline: { type: "boolean", describe: "never touch the network" },
  quiet: { alias: "q", type: "boolean", describe: "print only data and errors" },
  verbose: { alias: "v", type: "boolean", describe: "say more; show stacks of internal errors" },
  color: { type: "boolean", default: true, describe: "colour output (--no-color, NO_COLOR)" },
};

const pure: Options = { type: "boolean", describe: "drop the outer PATH and environment" };
/** How many lock generations to keep, newest first (`nix-env --delete-generations +N`); the command checks it. */
const generationsToKeep = (describe: string): Options => ({ type: "number", requiresArg: true, describe });
const tools = (describe: string) => ({ syntax: "[tools..]", options: { type: "string", array: true, describe } as PositionalOptions, completes: "tools" as const });

export const commandTable: readonly CommandSpec[] = [
  {
    name: "init",
    describe: "write devenv.ts",
    options: {
      tool: { type: "string", array: true, requiresArg: true, describe: "TOOL@SPEC, for any tool (repeatable)" },
      // The toolchains' own flags, from before any tool could be named: --node 20 is --tool node@20.
      ...Object.fromEntries(initFlags.map((tool) => [tool, { type: "string", requiresArg: true, describe: `${tool} version spec (--tool ${tool}@SPEC)` } satisfies Options])),
      force: { type: "boolean", describe: "overwrite an existing devenv.ts" },
    },
  },
  {
    name: "add",
    describe: "set tools in devenv.ts (`node@22`; no @SPEC: latest) and lock them",
    positional: { syntax: "<tools..>", options: { type: "string", array: true, demandOption: true, describe: "TOOL[@SPEC]" }, completes: "tools" },
  },
  {
    name: "remove",
    describe: "take tools out of devenv.ts and devenv.lock",
    positional: { syntax: "<tools..>", options: { type: "string", array: true, demandOption: true }, completes: "tools" },
  },
  { name: "lock", describe: "resolve what is missing or stale and write devenv.lock", positional: tools("re-resolve just these") },
  { name: "update", describe: "re-resolve specs to the newest matching versions; print `tool old -> new`", positional: tools("just these (default: all)") },
  {
    name: "rollback",
    describe: "restore the previous (or Nth) generation of devenv.lock",
    positional: { syntax: "[generation]", options: { type: "number", describe: "generation number (see --list)" } },
    options: { list: { type: "boolean", describe: "list generations: until when each was current, each tool's version and spec" }, json: { type: "boolean", describe: "with --list: print JSON" }, keep: generationsToKeep("remove all but the newest N generations (restores none)") },
  },
  {
    name: "versions",
    describe: "list the releases of TOOL upstream offers, newest first; with SPEC, those it admits and the one it resolves to",
    positional: { syntax: "<tool>", options: { type: "string", demandOption: true }, completes: "tools" },
    then: { syntax: "[spec]", options: { type: "string", describe: "a version spec, as in devenv.ts" } },
    options: { json: { type: "boolean", describe: "print JSON" } },
  },
  { name: "scripts", describe: "devenv.ts's scripts: commands in the environment (`devenv run fmt`), with what each does", options: { json: { type: "boolean", describe: "print JSON" } } },
  { name: "outdated", describe: "per locked tool: its version, the newest its spec admits, the newest upstream has", options: { json: { type: "boolean", describe: "print JSON" } } },
  {
    name: "search",
    describe: "the tools devenv knows by name, with a line on each; with WORD, those whose name or description holds it",
    positional: { syntax: "[word]", options: { type: "string", describe: "a word of the name or description" } },
    options: { json: { type: "boolean", describe: "print JSON" } },
  },
  { name: "install", describe: "put every locked toolchain for this platform into the store" },
  {
    name: "run",
    describe: "run CMD [ARGS...] in the environment (options after CMD are its own)",
    positional: { syntax: "[cmd..]", options: {}, completes: "binaries" },
    options: { pure },
  },
  {
    name: "up",
    describe: "run the project's processes in the foreground, in dependency order (or the named ones and what they come after); Ctrl-C stops them",
    positional: { syntax: "[names..]", options: { type: "string", array: true, describe: "process names (default: all)" } },
    options: {
      detach: { alias: "d", type: "boolean", describe: "run them detached; return once all are ready" },
      // What `up -d` runs in its own session: the supervisor itself.
      supervise: { type: "boolean", hidden: true },
    },
  },
  { name: "ps", describe: "the processes of `devenv up -d`: state, pid, ports, uptime", options: { json: { type: "boolean", describe: "print JSON" } } },
  {
    name: "logs",
    describe: "what the processes of `devenv up -d` printed",
    positional: { syntax: "[name]", options: { type: "string", describe: "one process (default: all)" } },
    options: { lines: { alias: "n", type: "number", requiresArg: true, describe: "the last N lines (50)" }, follow: { alias: "f", type: "boolean", describe: "keep printing what they print" } },
  },
  { name: "down", describe: "stop everything `devenv up -d` started, and wait until nothing is left" },
  {
    name: "exec",
    describe: "run CMD with TOOL@SPEC first on PATH (installed, locked nowhere): `devenv exec node@18 -- npm test`",
    positional: { syntax: "<tools..>", options: { type: "string", array: true, demandOption: true, describe: "TOOL[@SPEC], then -- CMD ARGS" }, completes: "tools" },
  },
  { name: "shell", describe: "start $SHELL (bash, zsh, fish; else sh) in the environment", options: { pure } },
  {
    name: "env",
    describe: "print the environment",
    options: { shell: { choices: ["bash", "zsh", "fish", "json", "github"], describe: "output format (default: from $SHELL)" } },
  },
  {
    name: "which",
    describe: "print the absolute path BIN resolves to in the environment",
    positional: { syntax: "<bin>", options: { type: "string", demandOption: true }, completes: "binaries" },
  },
  { name: "list", describe: "the locked tools: spec, version, store path, installed or not", options: { json: { type: "boolean", describe: "print JSON" } } },
  {
    name: "gc",
    describe: "remove store entries no project's lock (or lock generation) references",
    options: {
      "dry-run": { type: "boolean", describe: "say what would go, remove nothing" },
      "keep-generations": generationsToKeep("first remove all but the newest N lock generations of every registered project"),
    },
  },
  { name: "cache-key", describe: "a key for a CI cache of DEVENV_HOME: changes exactly when this platform's locked archives do" },
  { name: "trust", describe: "trust this project's devenv.ts and what it imports as they are now (it is code)", options: { revoke: { type: "boolean", describe: "stop trusting it" } } },
  { name: "verify", describe: "re-hash store entries against the tree hash recorded at install", options: { repair: { type: "boolean", describe: "reinstall modified entries from the lock" } } },
  {
    name: "hook",
    describe: "print shell integration: `devenv hook bash|zsh|fish` loads the environment on cd; `devenv hook direnv` prints use_devenv",
    positional: { syntax: "<target>", options: { choices: ["bash", "zsh", "fish", "direnv"], demandOption: true }, completes: ["bash", "zsh", "fish", "direnv"] },
  },
  {
    name: "cache",
    describe: "team cache: `devenv cache push [--to URL] [--all-platforms]` uploads the lock's archives",
    positional: { syntax: "<action>", options: { choices: ["push"], demandOption: true }, completes: ["push"] },
    options: {
      to: { type: "string", requiresArg: true, describe: "oci://host/repo or oci-layout:DIR (default: the first of DEVENV_CACHE)" },
      "all-platforms": { type: "boolean", describe: "all four platforms, not only this one" },
    },
  },
  {
    name: "completion",
    describe: "print a completion script: `devenv completion bash|zsh|fish`",
    // `binaries` is what the scripts themselves ask for: the executables of the locked toolchains.
    positional: { syntax: "<shell>", options: { choices: ["bash", "zsh", "fish", "binaries"], demandOption: true }, completes: ["bash", "zsh", "fish"] },
  },
];
