import { existsSync } from "node:fs";
import { generations, readGeneration, type Generation } from "../lock/history.js";
import { lockPath, parseLock, readLock, type LockFile } from "../lock/lockfile.js";
import type { ToolName } from "../resolvers/registry.js";
import type { Artifact, Platform } from "../resolvers/types.js";
import { entryName, type StoreLayout } from "../layout.js";
import { listRoots, type Root } from "../store/roots.js";

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
/** What every registered project's locks pin (store/gc.ts takes it as its References). */
export interface ProjectReferences {
  readonly entries: Map<string, Referenced>;
  readonly deadRoots: Root[];
  readonly unreadable: Array<{ root: Root; reason: string }>;
}

/** `ignoring`: generation files to count as gone (what `gc --keep-generations --dry-run` would prune). */
export function referencedEntries(layout: StoreLayout, platform: Platform, ignoring: ReadonlySet<string> = new Set()): ProjectReferences {
  const entries = new Map<string, Referenced>();
  const deadRoots: Root[] = [];
  const unreadable: Array<{ root: Root; reason: string }> = [];
  for (const root of listRoots(layout)) {
    if (!existsSync(lockPath(root.project))) {
      deadRoots.push(root);
      continue;
    }
    // Another project's broken lock must not stop gc for everyone: its generations still protect what they pin.
    let current: LockFile[] = [];
    try {
      current = [readLock(root.project)!.lock];
    } catch (error) {
      unreadable.push({ root, reason: (error as Error).message });
    }
    const locks: LockFile[] = [...current, ...generations(root.project).filter((g) => !ignoring.has(g.file)).flatMap(parsedOrNone)];
    for (const lock of locks) {
      for (const [tool, locked] of Object.entries(lock.tools)) {
        const artifact = locked.platforms[platform];
        if (artifact) entries.set(entryName(tool, locked.version, artifact.sha256), { tool: tool as ToolName, version: locked.version, artifact });
      }
    }
  }
  return { entries, deadRoots, unreadable };
}

/** A generation that no longer parses protects nothing. */
/** A generation that cannot be read or parsed (not a regular file, damaged) protects nothing, and stops nothing. */
function parsedOrNone(generation: Generation): LockFile[] {
  try {
    return [parseLock(readGeneration(generation), generation.file)];
  } catch {
    return [];
  }
}
