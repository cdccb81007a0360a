import { createRequire } from "node:module";

/** Bytes streamed between two minor collections (docs/performance.md, third set: more between them, a higher peak). */
const every = 2 ** 20;

type Collect = (options: { type: "minor" | "major" }) => void;
let collect: Collect | undefined;

/**
 * V8's `gc`, exposed the first time bytes stream, as jest does it: `node
 * --expose-gc` would slow every start, since Node's cache of its own
 * compiled modules holds only for the flags it was built with.
 */
function gc(): Collect {
  if (collect === undefined) {
    // Loaded here, not by every command that imports this module.
    const require = createRequire(import.meta.url);
    (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--expose-gc");
    collect = (require("node:vm") as typeof import("node:vm")).runInNewContext("gc") as Collect;
  }
  return collect;
}

/**
 * Counts bytes streamed through short-lived Buffers (a download, a tar stream
 * being written), and every MB asks V8 for a minor collection. A Buffer's
 * bytes live outside V8's heap, where V8 does not look until tens of MB more
 * have piled up, in every thread: these hints take the peak of three
 * toolchains installed at once down by a third (docs/performance.md, third set).
 */
export function bufferChurn(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    gc()({ type: "minor" });
  };
}
