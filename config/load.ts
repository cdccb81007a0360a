import { fileURLToPath } from "node:url";
import { DevenvError } from "../errors.js";

/** devenv.ts imports "devenv"; it must resolve to the running devenv even when the project does not depend on it. */
const selfModule = fileURLToPath(new URL("./define.js", import.meta.url));

/** Evaluates devenv.ts and returns its default export, called if it is a function. */
export async function loadConfigModule(file: string): Promise<unknown> {
  const { createJiti } = await import("jiti");
  // No fsCache: loading must not write into the project or node_modules.
  const jiti = createJiti(import.meta.url, { alias: { devenv: selfModule }, fsCache: false, moduleCache: false, interopDefault: false });
  let mod: { default?: unknown };
  try {
    mod = await jiti.import<{ default?: unknown }>(file);
  } catch (error) {
    throw loadError(file, error);
  }
  if (mod.default === undefined) {
    throw new DevenvError("config-invalid", `${file} has no default export`, {
      hint: "end it with `export default defineConfig({ tools: { ... } })`",
    });
  }
  if (typeof mod.default !== "function") return mod.default;
  try {
    return await (mod.default as () => unknown)();
  } catch (error) {
    throw loadError(file, error);
  }
}

function loadError(file: string, error: unknown): DevenvError {
  const reason = error instanceof Error ? error.message : String(error);
  const firstLine = reason.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
  return new DevenvError("config-invalid", `cannot load ${file}: ${firstLine.trim()}`, {
    hint: "fix the error in devenv.ts (run with -v for the full trace)",
    cause: error,
  });
}
