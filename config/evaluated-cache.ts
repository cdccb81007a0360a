import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic.js";
import { validateConfig, type ProjectConfig } from "./validate.js";

/**
 * The evaluated-config cache of SPEC §1: devenv.ts's validated result, kept
 * with the hash of every file that went into it (the file and all it imports),
 * so devenv.ts is evaluated again exactly when one of them changes. A config
 * whose result depends on something else (the environment, the clock) is
 * cached as it first evaluated. It carries the user's key: a config.json
 * committed to a repository is never believed over evaluating devenv.ts.
 */
interface CachedConfig {
  readonly key: string;
  readonly inputs: Record<string, string>;
  /** What devenv.ts exported, as evaluated (it validated, so it is plain data). */
  readonly value: unknown;
}

const cacheFile = (stateDir: string) => join(stateDir, "config.json");

export function readEvaluatedConfig(stateDir: string, key: string, configFile: string): ProjectConfig | undefined {
  try {
    const cached = JSON.parse(readFileSync(cacheFile(stateDir), "utf8")) as CachedConfig;
    if (cached.key !== key) return undefined;
    for (const [file, hash] of Object.entries(cached.inputs)) {
      if (contentHash(file) !== hash) return undefined;
    }
    // Validated again: it is only data on disk, and what it holds ends up in shells.
    return validateConfig(cached.value, configFile);
  } catch {
    return undefined;
  }
}

export function writeEvaluatedConfig(stateDir: string, key: string, inputs: readonly string[], value: unknown): void {
  // An input that cannot be read now never matches later: the config is evaluated again.
  const hashes = Object.fromEntries(inputs.map((file) => [file, contentHash(file) ?? "unreadable"]));
  mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(cacheFile(stateDir), JSON.stringify({ key, inputs: hashes, value } satisfies CachedConfig));
}

function contentHash(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}
