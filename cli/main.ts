import { readFileSync } from "node:fs";
import kleur from "kleur";
import { DevenvError, ExitCode, filesystemError } from "../errors.js";
import { splitRunArgv } from "./argv.js";
import { bareArgs, type Chosen } from "./bare-args.js";
import { commandTable, globalOptions } from "./command-table.js";
import { createContext, type Context, type GlobalFlags } from "./context.js";
import { createLog } from "./log.js";
import { addCommand, removeCommand } from "./commands/add.js";
import { cacheKeyCommand } from "./commands/cache-key.js";
import { cacheCommand } from "./commands/cache.js";
import { completionCommand } from "./commands/completion.js";
import { envCommand } from "./commands/env.js";
import { gcCommand } from "./commands/gc.js";
import { hookCommand } from "./commands/hook.js";
import { initCommand } from "./commands/init.js";
import { installCommand } from "./commands/install.js";
import { listCommand } from "./commands/list.js";
import { lockCommand } from "./commands/lock.js";
import { rollbackCommand } from "./commands/rollback.js";
import { runCommand } from "./commands/run.js";
import { downCommand, logsCommand, psCommand } from "./commands/processes.js";
import { upCommand } from "./commands/up.js";
import { shellCommand } from "./commands/shell.js";
import { trustCommand } from "./commands/trust.js";
import { updateCommand } from "./commands/update.js";
import { verifyCommand } from "./commands/verify.js";
import { execCommand } from "./commands/exec.js";
import { outdatedCommand } from "./commands/outdated.js";
import { scriptsCommand } from "./commands/scripts.js";
import { searchCommand } from "./commands/search.js";
import { versionsCommand } from "./commands/versions.js";
import { whichCommand } from "./commands/which.js";

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

type Handler = (ctx: Context, args: Record<string, unknown>) => Promise<number | void>;

/**
 * Every command's code is in the one file Node.js loads first: the ESM loader
 * pays for each module, and `run` alone took 18 chunks shared with other
 * commands (docs/performance.md, fourth set). What only some commands use
 * (yargs, undici, the unpackers, esbuild) is still loaded when needed.
 */
const handlers: Record<string, Handler> = {
  init: initCommand,
  add: addCommand,
  remove: removeCommand,
  lock: lockCommand,
  update: updateCommand,
  rollback: rollbackCommand,
  install: installCommand,
  run: runCommand,
  shell: shellCommand,
  env: envCommand,
  which: whichCommand,
  list: listCommand,
  versions: versionsCommand,
  search: searchCommand,
  outdated: outdatedCommand,
  exec: execCommand,
  scripts: scriptsCommand,
  gc: gcCommand,
  "cache-key": cacheKeyCommand,
  trust: trustCommand,
  verify: verifyCommand,
  hook: hookCommand,
  completion: completionCommand,
  cache: cacheCommand,
  up: upCommand,
  ps: psCommand,
  logs: logsCommand,
  down: downCommand,
};

async function main(argv: string[]): Promise<number> {
  const { options, command } = splitRunArgv(argv);
  let verbose = argv.includes("-v") || argv.includes("--verbose");
  try {
    const chosen = bareArgs(options) ?? (await parse(options));
    if (chosen === undefined) return 0; // --help, --version: yargs printed them
    verbose = chosen.args.verbose === true;
    const ctx = createContext(chosen.args as GlobalFlags, process.env, version);
    const handler = handlers[chosen.spec.name]!;
    try {
      return (await handler(ctx, { ...chosen.args, command })) ?? 0;
    } finally {
      await ctx.http.close();
    }
  } catch (error) {
    return report(error, verbose);
  }
}

/** Everything else goes through yargs, whose handlers only say which command was chosen. */
async function parse(options: readonly string[]): Promise<Chosen | undefined> {
  const { default: yargs } = await import("yargs");
  let chosen: Chosen | undefined;
  const parser = yargs(options)
    .scriptName("devenv")
    .usage("$0 <command> [options]\n\nPer-project toolchains, pinned in devenv.lock.")
    .options(globalOptions)
    .demandCommand(1, "name a command")
    .strict()
    .help()
    .alias("help", "h")
    .version(version)
    .wrap(Math.min(100, process.stdout.columns || 80))
    .fail((message, error) => {
      throw error ?? new DevenvError("usage", message, { hint: "see `devenv --help`" });
    });
  for (const spec of commandTable) {
    const { positional } = spec;
    const syntax = [spec.name, positional?.syntax, spec.then?.syntax].filter((word) => word !== undefined).join(" ");
    // A synchronous handler: with an async one yargs renders the whole help text up front, in case the promise rejects.
    parser.command(syntax, spec.describe, (y) => {
      for (const p of [positional, spec.then]) if (p) y.positional(p.syntax.replace(/[[\]<>.]/g, ""), p.options);
      return y.options(spec.options ?? {});
    }, (args) => void (chosen = { spec, args }));
  }
  await parser.parseAsync();
  return chosen;
}

/** A cause's stack for -v, if it has one that can be read: what devenv.ts threw may have throwing getters. */
function stackOf(cause: unknown): string {
  try {
    return cause instanceof Error && typeof cause.stack === "string" ? `${cause.stack}\n` : "";
  } catch {
    return "";
  }
}

function report(thrown: unknown, verbose: boolean): number {
  const log = createLog(process.stderr, { quiet: false, verbose });
  const error = filesystemError(thrown) ?? thrown;
  if (error instanceof DevenvError) {
    log.error(error);
    if (verbose) process.stderr.write(stackOf(error.cause));
    return error.exitCode;
  }
  // Anything that is not a DevenvError is a bug in devenv.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${kleur.red("internal error:")} ${message}\n`);
  process.stderr.write(verbose && error instanceof Error ? `${error.stack}\n` : `${kleur.cyan("hint:")} this is a bug in devenv; run with -v for the stack trace and report it\n`);
  return ExitCode.failure;
}

// `devenv verify | head`: the reader has gone, so there is nobody to tell; stop quietly, as `ls | head` does.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit();
});

// A throw outside the command's own promise chain (inside a library's event handler) is still
// one line, and still a bug: the stack only with -v.
process.on("uncaughtException", (error) => {
  process.exitCode = report(error, process.argv.includes("-v") || process.argv.includes("--verbose"));
  process.exit();
});

process.exitCode = await main(process.argv.slice(2));
