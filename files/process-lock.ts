import { readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import lockfile from "lockfile";
import { isProcessAlive } from "./pid.js";

/** A lock whose holder neither refreshed it nor can be asked (another host) is taken to be dead after this. */
const staleMs = 20_000;

/**
 * An inter-process lock at `path` (the `lockfile` package): a store entry
 * being installed, a project whose devenv.lock is being rewritten. The
 * holder writes its PID into it and refreshes it, so a waiter breaks the lock
 * of a killed holder at once, and of a frozen or remote one once it is stale.
 * `wait: false`: undefined, at once, if another process holds it.
 */
export async function lockPath(path: string, options: { wait: boolean }): Promise<(() => Promise<void>) | undefined> {
  for (;;) {
    breakIfHolderDied(path);
    const error = await new Promise<NodeJS.ErrnoException | null | undefined>((resolve) => lockfile.lock(path, { stale: staleMs }, resolve));
    if (!error) break;
    if (error.code !== "EEXIST") throw error;
    if (!options.wait) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  writeFileSync(path, `${process.pid}\n`);
  const refresh = setInterval(() => {
    try {
      utimesSync(path, new Date(), new Date());
    } catch {
      // gone: released, or broken by a waiter that judged us dead
    }
  }, staleMs / 4);
  return async () => {
    clearInterval(refresh);
    await new Promise<void>((resolve) => lockfile.unlock(path, () => resolve()));
  };
}

function breakIfHolderDied(path: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(path, "utf8").trim());
  } catch {
    return;
  }
  if (pid > 0 && !isProcessAlive(pid)) rmSync(path, { force: true });
}
