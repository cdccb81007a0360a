import { DevenvError } from "../errors.js";

/** What an archive entry may be, in tar's words (a zip knows only the first three). */
export type EntryType = "Directory" | "File" | "SymbolicLink" | "Link" | string;

const allowedTypes = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** Path segments without empty and `.` parts: `./a//b/` → [a, b]. */
const segments = (path: string) => path.split("/").filter((p) => p !== "" && p !== ".");

/**
 * The one policy for every archive format: what an entry may be and where it
 * may land. Refuses (rather than skips) anything that could land outside the
 * target: `..`, absolute paths, links pointing out, devices; with `stripTop`,
 * also a second top-level directory or a file beside it. The first refusal is
 * kept; the reader stops writing and reports it.
 */
export function entryPolicy(source: string, stripTop: boolean) {
  let refusal: DevenvError | undefined;
  let top: string | undefined;
  const refuse = (problem: string): undefined => {
    refusal ??= unsafeArchive(source, problem);
    return undefined;
  };
  return {
    source,
    refuse,
    get refusal() {
      return refusal;
    },
    /**
     * Where the entry lands, relative to the target, and its link target rewritten the same way;
     * undefined when it is skipped (the stripped top directory) or refused.
     */
    place(path: string, type: EntryType, linkpath = ""): { path: string; linkpath: string } | undefined {
      const bad = (problem: string) => refuse(`entry "${path}" ${problem}`);
      if (path.startsWith("/")) return bad("has an absolute path");
      const parts = segments(path);
      if (parts.includes("..")) return bad("climbs out with '..'");
      if (!allowedTypes.has(type)) return bad(`is a ${type}`);
      let rest = parts;
      if (stripTop) {
        const [first, ...below] = parts;
        if (first === undefined) return undefined;
        if (top !== undefined && first !== top) return bad(`is outside the archive's top-level directory "${top}"`);
        top = first;
        if (below.length === 0) return type === "Directory" ? undefined : bad("is a file where a single top-level directory is expected");
        rest = below;
      }
      if (rest.length === 0) return undefined;
      if (type === "SymbolicLink") {
        // An empty target is no link a filesystem can hold (symlink() says ENOENT).
        if (segments(linkpath).length === 0) return bad("is a symbolic link to nothing");
        // Only leading `..`, and no more of them than the link is deep: then no chain of links can leave the entry.
        const targetParts = segments(linkpath);
        const ups = targetParts.findIndex((p) => p !== "..");
        const leading = ups === -1 ? targetParts.length : ups;
        if (linkpath.startsWith("/") || targetParts.slice(leading).includes("..") || leading > rest.length - 1) return bad(`links outside the entry (-> ${linkpath})`);
      }
      if (type === "Link") {
        const targetParts = segments(linkpath);
        const inside = stripTop ? targetParts[0] === top && targetParts.length >= 2 : targetParts.length >= 1;
        if (linkpath.startsWith("/") || targetParts.includes("..") || !inside) return bad(`hard-links outside the entry (-> ${linkpath})`);
        return { path: rest.join("/"), linkpath: (stripTop ? targetParts.slice(1) : targetParts).join("/") };
      }
      return { path: rest.join("/"), linkpath };
    },
  };
}

/** The refusal of the archive fetched from `source`: what the policy, or a writer, found in it. */
export function unsafeArchive(source: string, problem: string): DevenvError {
  return new DevenvError("archive-unsafe", `refusing ${source}: ${problem}`, {
    hint: "the archive is not a toolchain devenv will unpack; report it to the mirror's owner",
  });
}

/**
 * Nothing setuid, setgid, sticky or writable by others ever lands in the store, and nothing
 * its owner cannot read: a mode-000 file would stop `devenv verify` (and any use) at EACCES.
 */
export function safeMode(mode: number): number {
  return (mode & 0o755) | 0o400;
}

export type EntryPolicy = ReturnType<typeof entryPolicy>;
