import { DevenvError } from "../../errors.js";
import { editProjectTools } from "../../project/edit-tools.js";
import { canonicalName, isToolName, resolverOf, unknownTool } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/** `devenv add node@22 python` (no @SPEC: "latest"): set each tool's spec in devenv.ts, lock them. */
export async function addCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const edits = (args.tools as string[]).map((word) => {
    const at = word.indexOf("@");
    const named = at <= 0 ? word : word.slice(0, at);
    // asdf's and mise's other names (github-cli, nodejs) are written as devenv calls the tool.
    const tool = canonicalName(named) ?? named;
    const spec = at <= 0 ? "latest" : word.slice(at + 1);
    knownTool(tool);
    if (!resolverOf(tool).isValidSpec(spec)) {
      throw new DevenvError("usage", `"${spec}" is not a ${tool} version spec`, { hint: `see \`devenv versions ${tool}\`` });
    }
    return { tool, spec };
  });
  await editProjectTools(ctx, edits);
}

/** `devenv remove go`: take tools out of devenv.ts and the lock. */
export async function removeCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  await editProjectTools(ctx, (args.tools as string[]).map((tool) => (knownTool(tool), { tool, remove: true as const })));
}

function knownTool(tool: string): void {
  if (!isToolName(tool)) throw unknownTool(tool);
}
