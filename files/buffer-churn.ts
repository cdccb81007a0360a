import { createRequire } from "node:module";

/** Bytes streamed between two minor collections: at 4 MB, three installs peaked at 128 MB. */
const every = 2 ** 20;
/** Bytes handed on between two full collections (`handedOnChurn`): at 8 MB, three installs peaked at 105-115 MB; at 2 MB, 97-100, in the same time. */
const everyFull = 2 * 2 ** 20;

type Collect = (options: { type: "minor" | "major" }) => void;
let collect: Collect | undefined;

/**
 * V8's `gc`, exposed the first time bytes stream, as jest does it: `node
 * --expose-gc` would cost every start ~20 ms, since Node's cache of its own
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
 * bytes live outside V8's heap, where V8 does not look until 64 MB more have
 * piled up, in every thread: three toolchains installed at once peaked at
 * 188 MB, and 112 MB with these hints (docs/performance.md).
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

let handedOn = 0;

/**
 * The same for Buffers a thread hands on and must keep until they are taken
 * (store/tar-writers.ts: inflated chunks, until the writers have them): a full
 * collection every 2 MB, counted across all of the thread's streams. A minor
 * collection there moves every chunk still waiting to V8's old generation,
 * which only a full collection frees: inflating three archives at once peaked
 * at 119 MB with a minor collection every MB, 85 MB with none, 68 MB with these.
 */
export function handedOnChurn(): (bytes: number) => void {
  return (bytes) => {
    handedOn += bytes;
    if (handedOn < everyFull) return;
    handedOn = 0;
    gc()({ type: "major" });
  };
}
