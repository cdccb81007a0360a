import { readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
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
export async function acquireLock(path: string, options: { wait: boolean; onWait?: (holder: number | undefined, waitedMs: number) => void }): Promise<(() => Promise<void>) | undefined> {
  // Loaded by a command that takes a lock (with signal-exit and assert), not by every command.
  const { default: lockfile } = await import("lockfile");
  const started = Date.now();
  let reported = 0;
  for (;;) {
    const holder = breakIfHolderDied(path);
    const error = await new Promise<NodeJS.ErrnoException | null | undefined>((resolve) => lockfile.lock(path, { stale: staleMs }, resolve));
    if (!error) break;
    if (error.code !== "EEXIST") throw error;
    if (!options.wait) return undefined;
    // Waiting is said after a second, then every ten: a twin that stalls is never a silent hang.
    const waited = Date.now() - started;
    if (waited >= 1000 + reported * 10_000) {
      options.onWait?.(holder, waited);
      reported++;
    }
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

/** The holder's PID, unless it died (then its lock is removed). */
function breakIfHolderDied(path: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(path, "utf8").trim());
  } catch {
    return undefined;
  }
  if (pid > 0 && !isProcessAlive(pid)) rmSync(path, { force: true });
  return pid > 0 ? pid : undefined;
}
