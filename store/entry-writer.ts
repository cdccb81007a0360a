import { chmodSync, closeSync, futimesSync, linkSync, lstatSync, mkdirSync, openSync, symlinkSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { isErrno } from "../errors.js";

/** A file being written: its content, chunk by chunk, then `close`. */
export interface OpenFile {
  write(chunk: Uint8Array): void;
  close(mtime: Date | undefined): void;
}

/**
 * Writes an archive's entries, already placed by the policy (store/unpack-policy.ts),
 * under `root`, synchronously. It keeps its own record of the directories it
 * made or found to be real ones, so each is created or checked once, not at
 * every entry below it (node-tar's unpacker checks every component of every
 * path, some 17,000 system calls for node's 2,500 entries). Nothing is written
 * through a link: a path's directories are ones this writer made, or ones
 * `lstat` shows are directories, and a file is created only where nothing is.
 * `refuse` records why the archive is refused, and throws.
 * Another writer may share `root` (another thread, writing other entries).
 */
export class EntryWriter {
  private readonly directories = new Set<string>([""]);
  /** Regular files written here: the only entries a hard link may name. */
  private readonly files = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly refuse: (problem: string) => never,
  ) {}

  directory(path: string, mode: number): void {
    this.ensureDirectory(path, path);
    // As node-tar and GNU tar leave it, whichever writer made it first: its owner can write it (until the entry is sealed).
    chmodSync(join(this.root, path), mode | 0o700);
  }

  /** Creates the file at `path` with `mode` (less the umask); a file already there (an archive's repeated entry) is replaced. */
  file(path: string, mode: number): OpenFile {
    this.ensureDirectory(parentOf(path), path);
    const absolute = join(this.root, path);
    const fd = this.replacing(path, () => openSync(absolute, "wx", mode));
    this.files.add(path);
    return {
      write(chunk) {
        for (let written = 0; written < chunk.length; ) written += writeSync(fd, chunk, written);
      },
      close(mtime) {
        try {
          // The archive's time: python checks its bytecode against its sources' times.
          if (mtime !== undefined) futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
      },
    };
  }

  symlink(path: string, target: string): void {
    this.ensureDirectory(parentOf(path), path);
    this.replacing(path, () => symlinkSync(target, join(this.root, path)));
  }

  /** A hard link to `target`, a file this writer wrote before. */
  link(path: string, target: string): void {
    if (!this.files.has(target)) this.refuse(`entry "${path}" hard-links to "${target}", which is not a file the archive holds before it`);
    this.ensureDirectory(parentOf(path), path);
    this.replacing(path, () => linkSync(join(this.root, target), join(this.root, path)));
    this.files.add(path);
  }

  /** Creates what `create` creates at `path`, removing first what an earlier entry left there, unless that is a directory. */
  private replacing<T>(path: string, create: () => T): T {
    try {
      return create();
    } catch (error) {
      if (!isErrno(error, "EEXIST")) throw error;
      if (lstatSync(join(this.root, path)).isDirectory()) this.refuse(`entry "${path}" would replace a directory`);
      unlinkSync(join(this.root, path));
      this.files.delete(path);
      return create();
    }
  }

  /** Makes `path` a directory, unless it is one already, for the entry at `entry`. */
  private ensureDirectory(path: string, entry: string): void {
    if (this.directories.has(path)) return;
    this.ensureDirectory(parentOf(path), entry);
    try {
      mkdirSync(join(this.root, path), 0o755);
    } catch (error) {
      if (!isErrno(error, "EEXIST")) throw error;
      // Made by an earlier entry, or by the writer beside this one: good only if it really is a directory.
      const found = lstatSync(join(this.root, path));
      if (found.isSymbolicLink()) this.refuse(`entry "${entry}" is written through a symbolic link ("${path}")`);
      if (!found.isDirectory()) this.refuse(`entry "${entry}" is written into "${path}", which is not a directory`);
    }
    this.directories.add(path);
  }
}

/** `a/b/c` → `a/b`; `a` → `` (the root). */
function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}
