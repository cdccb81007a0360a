import { posix } from "node:path";
import { Unpack, type ReadEntry } from "tar";
import { DevenvError } from "../errors.js";

const allowedTypes = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/**
 * A tar.gz sink that unpacks into `dir` with the archive's single top-level
 * directory stripped, and refuses (rather than skips) anything that could land
 * outside `dir`: `..`, absolute paths, links pointing out, devices, a second top level.
 */
export function createExtractor(dir: string, source: string) {
  let refusal: DevenvError | undefined;
  let top: string | undefined;
  const refuse = (problem: string) => {
    refusal ??= new DevenvError("archive-unsafe", `refusing ${source}: ${problem}`, {
      hint: "the archive is not a toolchain devenv will unpack; report it to the mirror's owner",
    });
    return false;
  };

  /** Sees each entry's raw header before node-tar strips or writes anything. */
  const filter = (path: string, stat: ReadEntry | unknown): boolean => {
    const entry = stat as ReadEntry;
    const bad = (problem: string) => refuse(`entry "${path}" ${problem}`);
    if (path.startsWith("/")) return bad("has an absolute path");
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) return bad("climbs out with '..'");
    if (!allowedTypes.has(entry.type)) return bad(`is a ${entry.type}`);
    const [first, ...rest] = parts;
    if (first === undefined) return false;
    if (top !== undefined && first !== top) return bad(`is outside the archive's top-level directory "${top}"`);
    top = first;
    if (rest.length === 0 && entry.type !== "Directory") return bad("is a file where a single top-level directory is expected");
    const target = String(entry.linkpath ?? "");
    if (entry.type === "SymbolicLink") {
      const resolved = posix.normalize(posix.join(posix.dirname(rest.join("/")), target));
      if (target.startsWith("/") || resolved === ".." || resolved.startsWith("../")) return bad(`links outside the entry (-> ${target})`);
    }
    if (entry.type === "Link") {
      const targetParts = target.split("/").filter((p) => p !== "" && p !== ".");
      if (target.startsWith("/") || targetParts.includes("..") || targetParts[0] !== top) return bad(`hard-links outside the entry (-> ${target})`);
    }
    // Nothing setuid, setgid, sticky or writable by others ever lands in the store.
    if (typeof entry.mode === "number") entry.mode &= 0o755;
    return true;
  };

  const unpack = new Unpack({
    cwd: dir,
    strip: 1,
    preserveOwner: false,
    filter,
    // node-tar skips what it finds unsafe or broken and only warns; devenv refuses the whole archive.
    onwarn: (code, message) => {
      if (code !== "TAR_ENTRY_INFO") refuse(`${message} (${code})`);
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
    get refusal() {
      return refusal;
    },
  };
}
