import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { CacheCredentials } from "./team-cache.js";

/** What ~/.docker/config.json says about registries (only what devenv reads). */
interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * A registry host's credentials as container tools keep them: the
 * `docker-credential-<name>` helper named by `credHelpers` or `credsStore`,
 * else `auths` (base64 `user:password`). Undefined when there are none.
 * `dockerConfigDir`: $DOCKER_CONFIG, else ~/.docker. `helperPath`: where a helper may be
 * found: a PATH without relative entries and the project's directories, so a helper a
 * repository ships (node_modules/.bin/docker-credential-desktop) never runs.
 */
export function dockerCredentials(host: string, dockerConfigDir: string, helperPath: string): CacheCredentials | undefined {
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(join(dockerConfigDir, "config.json"), "utf8")) as DockerConfig;
  } catch {
    return undefined;
  }
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper !== undefined) {
    // Loaded only to ask a helper: node:child_process would cost every command its load (docs/performance.md, seventh set).
    const { spawnSync } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
    const answer = /^[\w.-]+$/.test(helper) ? spawnSync(`docker-credential-${helper}`, ["get"], { input: host, encoding: "utf8", timeout: 10_000, env: { ...process.env, PATH: helperPath } }) : undefined;
    if (answer?.status === 0) {
      try {
        const { Username, Secret } = JSON.parse(answer.stdout) as { Username?: string; Secret?: string };
        // "<token>" is how helpers mark an identity token rather than a password.
        if (Secret) return Username === "<token>" ? { token: Secret } : { user: Username ?? "", password: Secret };
      } catch {
        // a helper that prints something else knows nothing of this host
      }
    }
  }
  const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`];
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
