import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configFileName, findProjectRoot } from "../config/find.js";
import { loadConfigModule } from "../config/load.js";
import { validateConfig, type ProjectConfig } from "../config/validate.js";

export interface Project {
  readonly root: string;
  readonly configFile: string;
  /** The text that was evaluated, read before evaluating it. */
  readonly configText: string;
  readonly config: ProjectConfig;
}

/** Finds, evaluates and validates the devenv.ts that governs `cwd`. */
export async function openProject(cwd: string): Promise<Project> {
  const root = findProjectRoot(cwd);
  const configFile = join(root, configFileName);
  const configText = readFileSync(configFile, "utf8");
  const config = validateConfig(await loadConfigModule(configFile), configFile);
  return { root, configFile, configText, config };
}
