import { createRequire } from "node:module";

/** Bytes streamed between two hints: at 4 MB, three installs peaked at 128 MB. */
const every = 2 ** 20;

let collect: ((options: { type: "minor" }) => void) | undefined;

/**
 * Counts bytes streamed through short-lived Buffers (a download, an inflated
 * archive), and every MB asks V8 for a minor collection. A Buffer's bytes
 * live outside V8's heap, where V8 does not look until 64 MB more have piled
 * up, in every thread: three toolchains installed at once peaked at 188 MB,
 * and 112 MB with these hints (docs/performance.md).
 * V8's `gc` is exposed here, when the first bytes stream, as jest does it:
 * `node --expose-gc` would cost every start ~20 ms, since Node's cache of its
 * own compiled modules holds only for the flags it was built with.
 */
export function bufferChurn(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    if (collect === undefined) {
      // Loaded here, not by every command that imports this module.
      const require = createRequire(import.meta.url);
      (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--expose-gc");
      collect = (require("node:vm") as typeof import("node:vm")).runInNewContext("gc") as typeof collect;
    }
    collect!({ type: "minor" });
  };
}
