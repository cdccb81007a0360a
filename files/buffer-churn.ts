const collect = (globalThis as { gc?: (options: { type: "minor" }) => void }).gc;

/** Bytes streamed between two hints: at 4 MB, three installs peaked at 128 MB. */
const every = 2 ** 20;

/**
 * Counts bytes streamed through short-lived Buffers (a download, an inflated
 * archive), and every MB asks V8 for a minor collection. A Buffer's bytes
 * live outside V8's heap, where V8 does not look until 64 MB more have piled
 * up, in every thread: three toolchains installed at once peaked at 188 MB,
 * and 112 MB with these hints (docs/performance.md). The launcher starts
 * Node.js with `--expose-gc`; without it, this does nothing.
 */
export function bufferChurn(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    collect?.({ type: "minor" });
  };
}
