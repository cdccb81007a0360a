import { DevenvError } from "../errors.js";
import type { Http } from "./http.js";
import type { CacheCredentials, TeamCache } from "./team-cache.js";

/**
 * The Authorization header a registry wants for `scope` on the cache's
 * repository, the way container tools find it: a token given as it is
 * (DEVENV_CACHE_TOKEN); else the registry's challenge (`GET /v2/` answering
 * 401 with WWW-Authenticate) decides: Basic with the credentials, or Bearer
 * with a token from the challenge's realm (ghcr.io, Docker Hub, Harbor...),
 * asked for with the credentials or anonymously. Nothing when the registry
 * wants none. The credentials go only to the registry and its realm.
 */
export async function registryAuthorization(http: Http, cache: TeamCache & { kind: "registry" }, credentials: CacheCredentials, scope: "pull" | "pull,push"): Promise<Record<string, string>> {
  if (credentials.token) return { authorization: `Bearer ${credentials.token}` };
  const basic = credentials.user !== undefined && credentials.password !== undefined ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}` : undefined;
  const ping = await http.send("GET", `${cache.origin}/v2/`);
  if (ping.status !== 401) return {};
  const challenge = String(ping.headers["www-authenticate"] ?? "");
  const needCredentials = () =>
    new DevenvError("network", `${cache.name} asks for credentials`, { hint: "set DEVENV_CACHE_USER and DEVENV_CACHE_PASSWORD (or DEVENV_CACHE_TOKEN), or log in with docker so ~/.docker/config.json has them" });
  if (/^basic\b/i.test(challenge)) {
    if (basic === undefined) throw needCredentials();
    return { authorization: basic };
  }
  if (!/^bearer\b/i.test(challenge)) throw new DevenvError("network", `${cache.name} asks for an authentication devenv does not know: ${challenge || "(none named)"}`, { hint: "use a registry that speaks Basic or Bearer token auth" });
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!.toLowerCase(), value!]));
  if (!params.realm) throw new DevenvError("network", `${cache.name}'s Bearer challenge names no realm`, { hint: "check the registry's token auth configuration" });
  const realm = new URL(params.realm);
  if (params.service) realm.searchParams.set("service", params.service);
  realm.searchParams.set("scope", `repository:${cache.repository}:${scope}`);
  const answer = await http.send("GET", realm.href, { headers: basic === undefined ? {} : { authorization: basic } });
  if (answer.status === 401 || answer.status === 403) throw needCredentials();
  let token: unknown;
  try {
    const body = JSON.parse(answer.text) as { token?: unknown; access_token?: unknown };
    token = body.token ?? body.access_token;
  } catch {
    token = undefined;
  }
  if (answer.status !== 200 || typeof token !== "string") throw new DevenvError("network", `${realm.origin}${realm.pathname} gave no token for ${cache.name} (${answer.status})`, { hint: "check the credentials and the registry's token service" });
  return { authorization: `Bearer ${token}` };
}
