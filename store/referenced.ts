import { existsSync } from "node:fs";
import { generations, readGeneration } from "../lock/history.js";
import { lockPath, parseLock, readLock, type LockFile } from "../lock/lockfile.js";
import type { ToolName } from "../resolvers/registry.js";
import type { Artifact, Platform } from "../resolvers/types.js";
import { entryName, type StoreLayout } from "./layout.js";
import { listRoots, type Root } from "./roots.js";

export interface Referenced {
  readonly tool: ToolName;
  readonly version: string;
  readonly artifact: Artifact;
}

/**
 * Every store entry (by name) that some registered project's devenv.lock, or
 * one of its lock generations, pins for this platform; and the roots whose
 * project or lock is gone.
 */
export function referencedEntries(layout: StoreLayout, platform: Platform): { entries: Map<string, Referenced>; deadRoots: Root[] } {
  const entries = new Map<string, Referenced>();
  const deadRoots: Root[] = [];
  for (const root of listRoots(layout)) {
    const current = existsSync(lockPath(root.project)) ? readLock(root.project) : undefined;
    if (current === undefined) {
      deadRoots.push(root);
      continue;
    }
    const locks: LockFile[] = [current.lock, ...generations(root.project).flatMap((g) => parsedOrNone(readGeneration(g), g.file))];
    for (const lock of locks) {
      for (const [tool, locked] of Object.entries(lock.tools)) {
        const artifact = locked.platforms[platform];
        if (artifact) entries.set(entryName(tool, locked.version, artifact.sha256), { tool: tool as ToolName, version: locked.version, artifact });
      }
    }
  }
  return { entries, deadRoots };
}

/** A generation that no longer parses protects nothing; the current lock must parse (readLock throws). */
function parsedOrNone(text: string, file: string): LockFile[] {
  try {
    return [parseLock(text, file)];
  } catch {
    return [];
  }
}
