import { bun } from "./bun.js";
import { deno } from "./deno.js";
import { go } from "./go.js";
import { node } from "./node.js";
import { python } from "./python.js";
import type { Resolver } from "./types.js";

/** Every toolchain devenv knows. A new one is a file in resolvers/ and a line here (and its name in config/define.ts, for devenv.ts's types). */
const registry = {
  node,
  python,
  go,
  bun,
  deno,
} satisfies Record<string, Resolver>;

export type ToolName = keyof typeof registry;
export const resolvers: Record<ToolName, Resolver> = registry;

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(resolvers, name);
}

export const toolNames = Object.keys(resolvers) as ToolName[];
