import type { EnvHttpProxyAgent, Pool } from "undici";
import { DevenvError } from "../errors.js";

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY as curl and npm read them (either case), read once by the CLI. */
export interface ProxySettings {
  readonly httpProxy: string | undefined;
  readonly httpsProxy: string | undefined;
  readonly noProxy: string | undefined;
}

/** What every connection gets, through a proxy or not. */
export interface AgentOptions {
  readonly connect: { readonly timeout: number };
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
}

/**
 * The options of undici's EnvHttpProxyAgent for these settings.
 *
 * Plain http goes to the proxy the way curl and npm send it, `GET http://host/path`,
 * not through a CONNECT tunnel: a stock squid allows CONNECT only to port 443
 * (`http_access deny CONNECT !SSL_ports`), so it refuses a tunnel to an http mirror
 * (nodejs/undici#4083). https still goes through CONNECT; the credentials in a
 * proxy's URL go as Proxy-Authorization either way.
 * Empty strings, not undefined: undici would read process.env itself.
 */
export function proxyAgentOptions(proxy: ProxySettings, agent: AgentOptions, PoolClass: typeof Pool): EnvHttpProxyAgent.Options {
  return {
    ...agent,
    httpProxy: proxy.httpProxy ?? "",
    httpsProxy: proxy.httpsProxy ?? "",
    noProxy: proxy.noProxy ?? "",
    proxyTunnel: false,
    // undici opens the connection that carries untunnelled requests to the proxy with this
    // factory and none of the agent's options: its timeouts are given again here.
    factory: (origin, options) => new PoolClass(origin, { ...agent, ...options }),
  };
}

/**
 * A proxy's refusal in one line that names the proxy (never its credentials), or
 * undefined when `error` is not one. undici reports a CONNECT answered with anything
 * but 200 as an abort whose message holds the status, and a 407 to an untunnelled
 * request as an invalid argument; neither says which proxy. CONNECT is sent only
 * for https, through HTTPS_PROXY, else HTTP_PROXY; untunnelled requests are http's.
 */
export function proxyRefusal(url: string, error: unknown, proxy: ProxySettings): DevenvError | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== "string") return undefined;
  const tunnel = /^Proxy response \((\d+)\) !== 200/.exec(message);
  if (tunnel === null && !/^Proxy Authentication Required \(407\)/.test(message)) return undefined;
  const variable = tunnel !== null && proxy.httpsProxy !== undefined ? "HTTPS_PROXY" : "HTTP_PROXY";
  const { name, credentials } = describe(variable === "HTTPS_PROXY" ? proxy.httpsProxy : proxy.httpProxy);
  const status = tunnel === null ? 407 : Number(tunnel[1]);
  if (status === 407) {
    return new DevenvError("network", `GET ${url} failed: ${name} asks for credentials (407)`, {
      hint: credentials ? `it refused the ones in ${variable}: check them (percent-encode @, : and / in them)` : `put them in the proxy URL: ${variable}=http://user:password@proxy:3128`,
      cause: error,
    });
  }
  return new DevenvError("network", `GET ${url} failed: ${name} answered ${status} to CONNECT`, {
    hint:
      status >= 500
        ? "the proxy could not reach the server: check the mirror (DEVENV_*_MIRROR), or try again later"
        : "the proxy's rules forbid this tunnel; many allow CONNECT only to port 443 (squid's default): use a mirror on port 443, or list its host in NO_PROXY",
    cause: error,
  });
}

/** The proxy as its URL's origin: the user and password in it are secrets. */
function describe(proxy: string | undefined): { name: string; credentials: boolean } {
  if (proxy === undefined) return { name: "the proxy", credentials: false };
  try {
    const url = new URL(proxy);
    return { name: `the proxy ${url.origin}`, credentials: url.username !== "" || url.password !== "" };
  } catch {
    return { name: "the proxy", credentials: false };
  }
}
