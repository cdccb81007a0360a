import { DevenvError } from "../errors.js";
import type { ToolName } from "../resolvers/registry.js";
import type { Project } from "./open.js";

/** TOOL arguments of `lock` and `update`: each must be a tool of devenv.ts. */
export function toolsOfProject(project: Project, names: readonly string[]): ToolName[] {
  const known = project.config.tools.map((t) => t.name);
  for (const name of names) {
    if (!(known as string[]).includes(name)) {
      throw new DevenvError("usage", `${name} is not a tool of ${project.configFile}`, { hint: `tools there: ${known.join(", ") || "none"}` });
    }
  }
  return names as ToolName[];
}
