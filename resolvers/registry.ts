import { node } from "./node.js";
import type { Resolver } from "./types.js";

/** Every toolchain devenv knows. A new one is a file in resolvers/ and a line here. */
export const resolvers = {
  node,
} satisfies Record<string, Resolver>;

export type ToolName = keyof typeof resolvers;

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(resolvers, name);
}

export const toolNames = Object.keys(resolvers) as ToolName[];
