import { Unpack, type ReadEntry } from "tar";
import { DevenvError } from "../errors.js";

const allowedTypes = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** Path segments without empty and `.` parts: `./a//b/` → [a, b]. */
const segments = (path: string) => path.split("/").filter((p) => p !== "" && p !== ".");

/**
 * A tar.gz sink that unpacks into `dir` with the archive's single top-level
 * directory stripped, and refuses (rather than skips) anything that could land
 * outside `dir`: `..`, absolute paths, links pointing out, devices, a second top level.
 */
export function createExtractor(dir: string, source: string) {
  let refusal: DevenvError | undefined;
  /** The first error writing to disk (ENOSPC, EACCES): the disk's fault, not the archive's. */
  let writeError: Error | undefined;
  let top: string | undefined;
  const refuse = (problem: string) => {
    refusal ??= new DevenvError("archive-unsafe", `refusing ${source}: ${problem}`, {
      hint: "the archive is not a toolchain devenv will unpack; report it to the mirror's owner",
    });
    return false;
  };

  /**
   * Sees each entry's raw header before node-tar writes anything, and rewrites
   * its path to the stripped one itself, so that what is checked is what is written.
   */
  const filter = (path: string, stat: ReadEntry | unknown): boolean => {
    const entry = stat as ReadEntry;
    const bad = (problem: string) => refuse(`entry "${path}" ${problem}`);
    if (path.startsWith("/")) return bad("has an absolute path");
    const parts = segments(path);
    if (parts.includes("..")) return bad("climbs out with '..'");
    if (!allowedTypes.has(entry.type)) return bad(`is a ${entry.type}`);
    const [first, ...rest] = parts;
    if (first === undefined) return false;
    if (top !== undefined && first !== top) return bad(`is outside the archive's top-level directory "${top}"`);
    top = first;
    if (rest.length === 0) return entry.type === "Directory" ? false : bad("is a file where a single top-level directory is expected");
    const target = String(entry.linkpath ?? "");
    if (entry.type === "SymbolicLink") {
      // Only leading `..`, and no more of them than the link is deep: then no chain of links can leave the entry.
      const targetParts = segments(target);
      const ups = targetParts.findIndex((p) => p !== "..");
      const leading = ups === -1 ? targetParts.length : ups;
      if (target.startsWith("/") || targetParts.slice(leading).includes("..") || leading > rest.length - 1) return bad(`links outside the entry (-> ${target})`);
    }
    if (entry.type === "Link") {
      const targetParts = segments(target);
      if (target.startsWith("/") || targetParts.includes("..") || targetParts[0] !== top || targetParts.length < 2) return bad(`hard-links outside the entry (-> ${target})`);
      entry.linkpath = targetParts.slice(1).join("/");
    }
    entry.path = rest.join("/");
    // Nothing setuid, setgid, sticky or writable by others ever lands in the store.
    if (typeof entry.mode === "number") entry.mode &= 0o755;
    return true;
  };

  const unpack = new Unpack({
    cwd: dir,
    preserveOwner: false,
    filter,
    // node-tar skips what it finds unsafe or broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message, data) => {
      if ((data as unknown as NodeJS.ErrnoException).syscall !== undefined) writeError ??= data as unknown as Error;
      else if (code !== "TAR_ENTRY_INFO") refuse(`${message} (${code})`);
    },
  });
  const finished = new Promise<void>((resolve, reject) => {
    unpack.on("close", () => resolve());
    unpack.on("error", (error: Error) => reject(refusal ?? error));
  });
  // The error path always rejects `finished`; keep Node from calling it unhandled before the caller awaits it.
  finished.catch(() => {});

  return {
    write: (chunk: Buffer): boolean => unpack.write(chunk),
    onDrain: (listener: () => void) => unpack.once("drain", listener),
    end: () => unpack.end(),
    finished,
    /** Why the archive, or the disk, failed; undefined when all went well. */
    get failure(): Error | undefined {
      return writeError ?? refusal;
    },
  };
}
