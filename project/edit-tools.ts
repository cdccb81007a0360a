import { readFileSync, statSync } from "node:fs";
import { editTools, type ToolEdit } from "../config/edit.js";
import { bundleConfig, fingerprint } from "../config/load.js";
import { isTrusted, trust } from "../config/trust.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { ToolName } from "../resolvers/registry.js";
import { configFingerprint, locateConfig, openProject } from "./open.js";
import type { Session as Context } from "./session.js";
import { logChanges, syncLock } from "./sync.js";

/**
 * `devenv add` and `devenv remove`: devenv.ts edited in place, then the lock brought
 * in line, re-resolving just the tools named. All or nothing: if the edited file
 * does not evaluate or lock, devenv.ts (and its trust) are put back as they were.
 *
 * Trust follows the change only where it was already given: the user asked for exactly
 * this edit of a file they trusted. An untrusted devenv.ts stays untrusted, edited or not.
 */
export async function editProjectTools(ctx: Context, edits: readonly ToolEdit[]): Promise<void> {
  const { root, configFile } = locateConfig(ctx.cwd);
  const before = readFileSync(configFile, "utf8");
  const mode = statSync(configFile).mode & 0o777;
  const store = { dir: ctx.layout.trust };
  const trustedBefore = (await configFingerprint(ctx, root, configFile)).fingerprint;
  const wasTrusted = isTrusted(store, configFile, trustedBefore);
  const after = await editTools(before, configFile, edits);
  if (after === before) return;
  writeFileAtomic(configFile, after, mode);
  try {
    if (wasTrusted) trust(store, configFile, fingerprint((await bundleConfig(configFile)).inputs));
    const project = await openProject(ctx);
    const refresh = edits.flatMap((edit) => ("spec" in edit ? [edit.tool as ToolName] : []));
    logChanges(ctx, (await syncLock(project, ctx, { refresh })).changes);
  } catch (error) {
    writeFileAtomic(configFile, before, mode);
    if (wasTrusted) trust(store, configFile, trustedBefore);
    throw error;
  }
  for (const edit of edits) ctx.log.info("spec" in edit ? `devenv.ts: ${edit.tool} "${edit.spec}"` : `devenv.ts: removed ${edit.tool}`);
}
