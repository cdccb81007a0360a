import { readFileSync, statSync } from "node:fs";
import { editTools, type ToolEdit } from "../config/edit.js";
import { bundleConfig, fingerprint, type ConfigInput } from "../config/load.js";
import { isTrusted, trust } from "../config/trust.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { ToolName } from "../resolvers/registry.js";
import { locateConfig, openProject } from "./open.js";
import type { Session as Context } from "./session.js";
import { logChanges, syncLock } from "./sync.js";

/**
 * `devenv add` and `devenv remove`: devenv.ts edited in place, then the lock brought
 * in line, re-resolving just the tools named. All or nothing: if the edited file
 * does not evaluate or lock, devenv.ts (and its trust) are put back as they were.
 *
 * Trust follows the change only where it was already given, and only to devenv.ts's own
 * edit: the user asked for exactly this change of a file they trusted. Whether it was
 * trusted is read from a fresh bundle, not the evaluation cache (a file a `git pull`
 * put beside an import changes what runs), and every other file the edited devenv.ts
 * reads must be one trusted before, byte for byte. An untrusted devenv.ts stays untrusted.
 */
export async function editProjectTools(ctx: Context, edits: readonly ToolEdit[]): Promise<void> {
  const { configFile } = locateConfig(ctx.cwd);
  const before = readFileSync(configFile, "utf8");
  const mode = statSync(configFile).mode & 0o777;
  const store = { dir: ctx.layout.trust };
  const bundled = await bundleConfig(configFile);
  const trustedBefore = fingerprint(bundled.inputs);
  const wasTrusted = isTrusted(store, configFile, trustedBefore);
  const after = await editTools(before, configFile, edits);
  if (after === before) return;
  writeFileAtomic(configFile, after, mode);
  try {
    if (wasTrusted) {
      const { inputs } = await bundleConfig(configFile);
      if (sameImports(bundled.inputs, inputs, configFile)) trust(store, configFile, fingerprint(inputs));
      else ctx.log.warn(`${configFile} now reads files it did not before: it is not trusted until you review them and run \`devenv trust\``);
    }
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

/** Every file but devenv.ts itself, by path and content, the same before and after. */
function sameImports(before: readonly ConfigInput[], after: readonly ConfigInput[], configFile: string): boolean {
  const others = (inputs: readonly ConfigInput[]) => inputs.filter((input) => input.path !== configFile).map((input) => `${input.sha256}  ${input.path}`).sort().join("\n");
  return others(before) === others(after);
}
