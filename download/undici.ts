/**
 * The parts of undici devenv uses, each loaded from its own module: undici's
 * index loads all of it (fetch, WebSocket, caches, mocks), about twice what
 * these parts cost every command that goes online (docs/performance.md, second set). The
 * index also gives every dispatcher its request API (`request`, and `connect`,
 * through which a ProxyAgent tunnels): done here the same way.
 * undici is CommonJS: its exports are `default` both under Node and in the
 * bundle. Its HTTP parser is WebAssembly, which V8 recompiles in the
 * background with its optimizing tier, and Node waits for that at exit:
 * devenv parses a few responses and exits, so the baseline compiler is enough.
 * The flag is set once undici's modules are loaded (the parser compiles at the
 * first connection): V8's flags are part of the key of Node's cache of its own
 * compiled modules, and set before, they made undici's `http`, `tls` and `net`
 * compile from source (docs/performance.md, sixth set).
 */
export async function loadUndici() {
  const [{ default: Dispatcher }, { default: api }, { default: EnvHttpProxyAgent }, { default: Pool }, { default: redirect }, { default: retry }] = await Promise.all([
    import("undici/lib/dispatcher/dispatcher.js"),
    import("undici/lib/api/index.js"),
    import("undici/lib/dispatcher/env-http-proxy-agent.js"),
    // Loaded with the proxy agent anyway (see proxyAgentOptions).
    import("undici/lib/dispatcher/pool.js"),
    import("undici/lib/interceptor/redirect.js"),
    import("undici/lib/interceptor/retry.js"),
  ]);
  (await import("node:v8")).setFlagsFromString("--liftoff-only");
  Object.assign(Dispatcher.prototype, api);
  return { EnvHttpProxyAgent, Pool, redirect, retry };
}
