import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { ensurePrivateDir } from "../files/private-dir.js";
import { readLimited } from "../files/read-limited.js";
import { maxInputBytes, type ConfigBundle, type ConfigInput } from "./load.js";
import { stillAbsent } from "./resolutions.js";
import { validateConfig, type ProjectConfig } from "./validate.js";

/**
 * The evaluated-config cache: devenv.ts's validated result, kept with the
 * hash of every file that went into it (the file and all it imports), so
 * devenv.ts is evaluated again exactly when one of them changes. A config
 * whose result depends on something else (the environment, the clock) is
 * cached as it first evaluated. It lives in DEVENV_HOME (user-only), where a
 * repository cannot ship one.
 */
interface CachedConfig {
  readonly inputs: readonly ConfigInput[];
  /** Paths whose appearing would change what an import resolves to (config/resolutions.ts). */
  readonly absent: readonly string[];
  /** What devenv.ts exported, as evaluated (it validated, so it is plain data). */
  readonly value: unknown;
}

/** The cached config of `cacheFile`, if every input is still as it was evaluated. */
export function readEvaluatedConfig(cacheFile: string, configFile: string): { config: ProjectConfig; inputs: readonly ConfigInput[]; absent: readonly string[] } | undefined {
  let cached: CachedConfig;
  try {
    cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CachedConfig;
  } catch {
    return undefined;
  }
  if (!Array.isArray(cached.inputs) || !cached.inputs.some((input) => input.path === configFile)) return undefined;
  if (!cached.inputs.every((input) => typeof input.path === "string" && contentHash(input.path) === input.sha256)) return undefined;
  // A file that appeared where an import would now find it: what runs is no longer what was evaluated (or trusted).
  if (!Array.isArray(cached.absent) || !cached.absent.every((path) => typeof path === "string") || !stillAbsent(cached.absent)) return undefined;
  // Validated again: it is only data on disk, and what it holds ends up in shells.
  return { config: validateConfig(cached.value, configFile), inputs: cached.inputs, absent: cached.absent };
}

export function writeEvaluatedConfig(cacheFile: string, bundle: Pick<ConfigBundle, "inputs" | "absent">, value: unknown): void {
  ensurePrivateDir(dirname(cacheFile));
  // Checked when read (JSON, every input's hash, validated again): not flushed.
  writeFileAtomic(cacheFile, JSON.stringify({ inputs: bundle.inputs, absent: bundle.absent, value } satisfies CachedConfig), 0o600, { flush: false });
}

function contentHash(file: string): string | undefined {
  try {
    return createHash("sha256").update(readLimited(file, maxInputBytes, { code: "config-invalid", hint: "" })).digest("hex");
  } catch {
    return undefined;
  }
}
