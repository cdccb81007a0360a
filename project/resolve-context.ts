import type { ToolName } from "../resolvers/registry.js";
import type { ResolveContext } from "../resolvers/types.js";
import type { Session as Context } from "./session.js";

/** What a resolver may use of the session: its mirror, the one fetcher, the GitHub token. `recheck`: immutable checksum files are asked for again. */
export function resolveContext(name: ToolName, ctx: Context, recheck = false): ResolveContext {
  return { mirror: ctx.mirror(name), fetch: recheck ? ctx.http.rechecking() : ctx.http, githubToken: ctx.githubToken };
}
