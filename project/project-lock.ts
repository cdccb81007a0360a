import { ensurePrivateDir } from "../files/private-dir.js";
import { acquireLock } from "../files/process-lock.js";
import { projectState, type StoreLayout } from "../layout.js";

/**
 * Runs `work` (which reads devenv.lock or its history and rewrites them) while
 * no other devenv process does the same for this project: a `lock` never
 * undoes a `rollback` that reported success, and no generation is lost.
 */
export async function withProjectLock<T>(layout: StoreLayout, root: string, work: () => Promise<T>): Promise<T> {
  const state = projectState(layout, root);
  ensurePrivateDir(state.dir);
  const release = (await acquireLock(state.lock, { wait: true }))!;
  try {
    return await work();
  } finally {
    await release();
  }
}
