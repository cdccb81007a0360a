import { existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sha256, type Mirror } from "../support/mirror.js";

export const archivePath = (v: string) => `/v${v}/node-v${v}-linux-x64.tar.gz`;
export const entryDir = (home: string, m: Mirror, v: string) => join(home, "store", `${sha256(m.files.get(archivePath(v))!).slice(0, 32)}-node-${v}`);

/** Everything below `dir`, as relative paths (directories end with /). */
export function walk(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const rel = prefix + name;
    return lstatSync(path).isDirectory() ? [`${rel}/`, ...walk(path, `${rel}/`)] : [rel];
  });
}

/** The store and its temporary area hold nothing half-made: no temp files, only complete entries. */
export function assertStoreClean(home: string, complete: readonly string[] = []): void {
  const store = walk(join(home, "store")).filter((p) => !p.slice(0, -1).includes("/"));
  if (JSON.stringify(store.sort()) !== JSON.stringify(complete.map((e) => `${e.split("/").pop()}/`).sort())) {
    throw new Error(`store holds ${store.join(", ") || "nothing"}, expected ${complete.join(", ") || "nothing"}`);
  }
  const temps = walk(join(home, "tmp"));
  if (temps.length > 0) throw new Error(`temporary files left: ${temps.join(", ")}`);
}
