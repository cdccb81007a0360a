import { extractTar } from "./extract-tar.js";
import { extractZip } from "./extract-zip.js";
import { entryPolicy } from "./unpack-policy.js";

export type ArchiveFormat = "tar.gz" | "zip";

/** The format of an archive, by its canonical URL's name. */
export function formatOf(url: string): ArchiveFormat {
  return new URL(url).pathname.endsWith(".zip") ? "zip" : "tar.gz";
}

/**
 * Unpacks the verified archive `file` (fetched from `source`) into `dir`: one
 * policy (store/unpack-policy.ts), two readers. `stripTop`: the archive holds
 * a single top-level directory, whose contents are the entry.
 * Returns the sha256 of each file's content by entry-relative path.
 */
export function extractArchive(file: string, dir: string, options: { source: string; format: ArchiveFormat; stripTop: boolean; signal?: AbortSignal }): Promise<ReadonlyMap<string, string>> {
  const policy = entryPolicy(options.source, options.stripTop);
  return (options.format === "zip" ? extractZip : extractTar)(file, dir, policy, options.signal);
}
