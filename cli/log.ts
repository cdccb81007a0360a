import kleur from "kleur";
import type { Log } from "../project/session.js";

/** Progress, logs and errors go to stderr; stdout is for data (SPEC §6). */
export function createLog(stream: NodeJS.WritableStream, options: { quiet: boolean; verbose: boolean }): Log {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    info: (message) => options.quiet || write(message),
    warn: (message) => write(`${kleur.yellow("warning:")} ${message}`),
    debug: (message) => options.verbose && write(kleur.dim(message)),
    error: (error) => {
      for (const line of error.message.split("\n")) write(`${kleur.red("error:")} ${line}`);
      if (error.hint) write(`${kleur.cyan("hint:")} ${error.hint}`);
    },
  };
}
