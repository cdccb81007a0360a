import { DevenvError } from "../errors.js";

/**
 * Writes a cache if it can: one devenv cannot write (a read-only or shared
 * DEVENV_HOME) only makes the next command slower, never this one fail.
 */
export function keepCache(log: { debug(message: string): void }, what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    // Any operating-system error writing it (EROFS, EACCES, ENOSPC; ENOENT from a recursive mkdir on a read-only mount).
    const osError = (error as NodeJS.ErrnoException).syscall !== undefined;
    if (!osError && !(error instanceof DevenvError && error.code === "filesystem")) throw error;
    log.debug(`${what} not kept: ${(error as Error).message}`);
  }
}
