import { DevenvError } from "../../errors.js";
import { resolveContext } from "../../project/resolve-context.js";
import { newestFirst } from "../../resolvers/pick.js";
import { isToolName, resolverOf, unknownTool } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/**
 * `devenv versions TOOL [SPEC]`: what upstream offers, newest first, from the
 * same cached indexes (and mirrors) as `devenv lock`; with a SPEC, only the
 * releases it admits, the one it resolves to marked. Needs no project.
 */
export async function versionsCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  const tool = String(args.tool);
  if (!isToolName(tool)) throw unknownTool(tool);
  const resolver = resolverOf(tool);
  const spec = args.spec === undefined ? undefined : String(args.spec);
  if (spec !== undefined && !resolver.isValidSpec(spec)) {
    throw new DevenvError("usage", `"${spec}" is not a ${tool} version spec`, { hint: "a line (20), an exact version (20.18.0), a range (^20.10), latest; for node also lts, lts/iron" });
  }
  const ctxResolve = resolveContext(resolver, ctx);
  const all = newestFirst(await resolver.releases(ctxResolve));
  const listed = spec === undefined ? all.filter((r) => r.stable) : all.filter((r) => resolver.matches(spec, r));
  // What `devenv lock` would pick: the same resolver, the same (now cached) index.
  const resolved = spec === undefined ? undefined : await resolver.resolve(spec, ctxResolve);
  if (args.json === true) {
    const rows = listed.map((r) => ({ version: r.version, lts: r.lts ?? null, ...(spec === undefined ? {} : { resolved: r.version === resolved }) }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(0, ...listed.map((r) => r.version.length));
  for (const r of listed) {
    const marks = [r.lts === undefined ? "" : `lts/${r.lts}`, r.version === resolved ? `<- "${spec}"` : ""].filter((m) => m !== "");
    process.stdout.write(`${marks.length === 0 ? r.version : `${r.version.padEnd(width)}  ${marks.join("  ")}`}\n`);
  }
  if (resolved !== undefined) ctx.log.info(`${tool} "${spec}" resolves to ${resolved}`);
}
