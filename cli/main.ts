import { readFileSync } from "node:fs";
import kleur from "kleur";
import { DevenvError, ExitCode, filesystemError } from "../errors.js";
import { splitRunArgv } from "./argv.js";
import { createContext, type Context, type GlobalFlags } from "./context.js";
import { createLog } from "./log.js";

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

type Handler = (ctx: Context, args: Record<string, unknown>) => Promise<number | void>;

/** Commands are loaded when they run, so each pays only for the modules it uses. */
const commands: Record<string, () => Promise<Handler>> = {
  init: async () => (await import("./commands/init.js")).initCommand,
  lock: async () => (await import("./commands/lock.js")).lockCommand,
  install: async () => (await import("./commands/install.js")).installCommand,
  run: async () => (await import("./commands/run.js")).runCommand,
  env: async () => (await import("./commands/env.js")).envCommand,
  which: async () => (await import("./commands/which.js")).whichCommand,
  list: async () => (await import("./commands/list.js")).listCommand,
  shell: async () => (await import("./commands/shell.js")).shellCommand,
  hook: async () => (await import("./commands/hook.js")).hookCommand,
  update: async () => (await import("./commands/update.js")).updateCommand,
  rollback: async () => (await import("./commands/rollback.js")).rollbackCommand,
  gc: async () => (await import("./commands/gc.js")).gcCommand,
  "cache-key": async () => (await import("./commands/cache-key.js")).cacheKeyCommand,
  trust: async () => (await import("./commands/trust.js")).trustCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
};

async function main(argv: string[]): Promise<number> {
  const { options, command } = splitRunArgv(argv);
  const { default: yargs } = await import("yargs");
  let exitCode = 0;
  let verbose = argv.includes("-v") || argv.includes("--verbose");
  const dispatch = (name: string) => async (args: Record<string, unknown>) => {
    verbose = args.verbose === true;
    const ctx = createContext(args as GlobalFlags, process.env, version);
    const handler = await commands[name]!();
    try {
      exitCode = (await handler(ctx, { ...args, command })) ?? 0;
    } finally {
      await ctx.http.close();
    }
  };

  const parser = yargs(options)
    .scriptName("devenv")
    .usage("$0 <command> [options]\n\nPer-project toolchains, pinned in devenv.lock.")
    .option("C", { type: "string", describe: "run as if started in DIR", requiresArg: true })
    .option("frozen", { type: "boolean", describe: "fail if devenv.lock must change" })
    .option("offline", { type: "boolean", describe: "never touch the network" })
    .option("quiet", { alias: "q", type: "boolean", describe: "print only data and errors" })
    .option("verbose", { alias: "v", type: "boolean", describe: "say more; show stacks of internal errors" })
    .option("color", { type: "boolean", default: true, describe: "colour output (--no-color, NO_COLOR)" })
    .command("init", "write devenv.ts", (y) => y.options({
      node: { type: "string", requiresArg: true, describe: "node version spec" },
      python: { type: "string", requiresArg: true, describe: "python version spec" },
      go: { type: "string", requiresArg: true, describe: "go version spec" },
      force: { type: "boolean", describe: "overwrite an existing devenv.ts" },
    }), dispatch("init"))
    .command("lock [tools..]", "resolve what is missing or stale and write devenv.lock", (y) => y.positional("tools", { type: "string", array: true, describe: "re-resolve just these" }), dispatch("lock"))
    .command("update [tools..]", "re-resolve specs to the newest matching versions; print `tool old -> new`", (y) => y.positional("tools", { type: "string", array: true, describe: "just these (default: all)" }), dispatch("update"))
    .command("rollback [generation]", "restore the previous (or Nth) generation of devenv.lock", (y) => y.positional("generation", { type: "number", describe: "generation number (see --list)" }).option("list", { type: "boolean", describe: "list generations" }), dispatch("rollback"))
    .command("install", "put every locked toolchain for this platform into the store", (y) => y, dispatch("install"))
    .command("run [cmd..]", "run CMD [ARGS...] in the environment (options after CMD are its own)", (y) => y.option("pure", { type: "boolean", describe: "drop the outer PATH and environment" }), dispatch("run"))
    .command("shell", "start $SHELL (bash, zsh, fish; else sh) in the environment", (y) => y.option("pure", { type: "boolean", describe: "drop the outer PATH and environment" }), dispatch("shell"))
    .command("env", "print the environment", (y) => y.option("shell", { choices: ["bash", "zsh", "fish", "json", "github"] as const, describe: "output format (default: from $SHELL)" }), dispatch("env"))
    .command("which <bin>", "print the absolute path BIN resolves to in the environment", (y) => y.positional("bin", { type: "string", demandOption: true }), dispatch("which"))
    .command("gc", "remove store entries no project's lock (or lock generation) references", (y) => y.option("dry-run", { type: "boolean", describe: "say what would go, remove nothing" }), dispatch("gc"))
    .command("cache-key", "a key for a CI cache of DEVENV_HOME: changes exactly when this platform's locked archives do", (y) => y, dispatch("cache-key"))
    .command("trust", "trust this project's devenv.ts as it is now (it is code)", (y) => y.option("revoke", { type: "boolean", describe: "stop trusting it" }), dispatch("trust"))
    .command("verify", "re-hash store entries against the tree hash recorded at install", (y) => y.option("repair", { type: "boolean", describe: "reinstall modified entries from the lock" }), dispatch("verify"))
    .command("hook <target>", "print shell integration: `devenv hook direnv` prints use_devenv", (y) => y.positional("target", { choices: ["direnv"] as const, demandOption: true }), dispatch("hook"))
    .command("list", "the locked tools: spec, version, store path, installed or not", (y) => y.option("json", { type: "boolean", describe: "print JSON" }), dispatch("list"))
    .demandCommand(1, "name a command")
    .strict()
    .help()
    .alias("help", "h")
    .version(version)
    .wrap(Math.min(100, process.stdout.columns || 80))
    .fail((message, error) => {
      throw error ?? new DevenvError("usage", message, { hint: "see `devenv --help`" });
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    exitCode = report(error, verbose);
  }
  return exitCode;
}

function report(thrown: unknown, verbose: boolean): number {
  const log = createLog(process.stderr, { quiet: false, verbose });
  const error = filesystemError(thrown) ?? thrown;
  if (error instanceof DevenvError) {
    log.error(error);
    if (verbose && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  // Anything that is not a DevenvError is a bug in devenv.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${kleur.red("internal error:")} ${message}\n`);
  process.stderr.write(verbose && error instanceof Error ? `${error.stack}\n` : `${kleur.cyan("hint:")} this is a bug in devenv; run with -v for the stack trace and report it\n`);
  return ExitCode.failure;
}

// A throw outside the command's own promise chain (inside a library's event handler) is still
// one line, and still a bug: the stack only with -v.
process.on("uncaughtException", (error) => {
  process.exitCode = report(error, process.argv.includes("-v") || process.argv.includes("--verbose"));
  process.exit();
});

process.exitCode = await main(process.argv.slice(2));
