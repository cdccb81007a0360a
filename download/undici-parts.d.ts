// The undici modules that loadUndici (download/http.ts) loads one by one, typed as undici's index exports them.
declare module "undici/lib/dispatcher/dispatcher.js" {
  const Dispatcher: typeof import("undici").Dispatcher;
  export default Dispatcher;
}
declare module "undici/lib/api/index.js" {
  const api: Record<string, unknown>;
  export default api;
}
declare module "undici/lib/dispatcher/env-http-proxy-agent.js" {
  const EnvHttpProxyAgent: typeof import("undici").EnvHttpProxyAgent;
  export default EnvHttpProxyAgent;
}
declare module "undici/lib/dispatcher/pool.js" {
  const Pool: typeof import("undici").Pool;
  export default Pool;
}
declare module "undici/lib/interceptor/redirect.js" {
  const redirect: typeof import("undici").interceptors.redirect;
  export default redirect;
}
declare module "undici/lib/interceptor/retry.js" {
  const retry: typeof import("undici").interceptors.retry;
  export default retry;
}
