/** Global options that take a value, so their value is not taken for the command. */
const optionsWithValue = new Set(["-C"]);

/**
 * `devenv [opts] run [opts] [--] CMD ARGS...`: everything from CMD on belongs
 * to CMD, flags included (`devenv run node --version`), so it is cut off
 * before yargs sees it; `devenv exec TOOL@SPEC... -- CMD ARGS...`: everything
 * after `--`. Other commands pass through untouched.
 */
export function splitRunArgv(argv: readonly string[]): { options: string[]; command: string[] } {
  let i = 0;
  let seenRun = false;
  let seenExec = false;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      if (seenRun || seenExec) return { options: argv.slice(0, i), command: argv.slice(i + 1) };
      break;
    }
    if (seenExec) continue;
    if (optionsWithValue.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    if (!seenRun) {
      if (arg === "exec") {
        seenExec = true;
        continue;
      }
      if (arg !== "run") break;
      seenRun = true;
      continue;
    }
    return { options: argv.slice(0, i), command: argv.slice(i) };
  }
  return { options: [...argv], command: [] };
}
