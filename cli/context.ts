import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import kleur from "kleur";
import { Http, type ProxySettings } from "../download/http.js";
import { dockerCredentials } from "../download/docker-credentials.js";
import { parseTeamCaches } from "../download/team-cache.js";
import { createProgress } from "../download/progress.js";
import { findProjectRoot } from "../config/find.js";
import { DevenvError } from "../errors.js";
import { isLoopback } from "../download/loopback.js";
import type { Platform } from "../resolvers/types.js";
import { refuseForeignHome } from "../files/private-dir.js";
import { storeLayout } from "../layout.js";
import type { Log, Session } from "../project/session.js";
import { createLog } from "./log.js";

/** What the CLI hands every command: the session that project/ and below take. */
export type Context = Session;

export interface GlobalFlags {
  C?: string | undefined;
  frozen?: boolean | undefined;
  offline?: boolean | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
  color?: boolean | undefined;
}

export function createContext(flags: GlobalFlags, env: NodeJS.ProcessEnv, version: string): Context {
  const color = flags.color !== false && env.NO_COLOR === undefined && env.TERM !== "dumb" && (process.stderr.isTTY || isSet(env.FORCE_COLOR));
  kleur.enabled = color;
  const log = createLog(process.stderr, { quiet: flags.quiet === true, verbose: flags.verbose === true });
  const offline = flags.offline === true || isSet(env.DEVENV_OFFLINE);
  const cwd = resolve(flags.C ?? process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DevenvError("usage", `-C ${flags.C}: not a directory`, { hint: "name the project directory, or a directory inside it" });
  }
  const layout = storeLayout(devenvHome(env));
  refuseForeignHome(layout.home, [layout.store, layout.trust, layout.tmp, layout.locks, layout.projects, layout.roots, layout.trees, layout.origins]);
  return {
    cwd,
    layout,
    platform: hostPlatform(),
    offline,
    frozen: flags.frozen === true || isSet(env.CI),
    loading: env.DEVENV_LOADING === "1",
    trustAll: isSet(env.CI) || isSet(env.DEVENV_TRUST),
    confirm: async (question) => {
      if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
      const { createInterface } = await import("node:readline/promises"); // only when asking
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await prompt.question(`${question} [y/N] `).finally(() => prompt.close());
      return /^y(es)?$/i.test(answer.trim());
    },
    mirror: mirrors(env, log),
    githubToken: env.GITHUB_TOKEN || undefined,
    // Never from devenv.ts: a repository must not redirect a user's downloads.
    caches: parseTeamCaches(env.DEVENV_CACHE ?? userSettings(env).cache, env.DEVENV_CACHE === undefined ? userSettingsFile(env) : "DEVENV_CACHE"),
    cacheCredentials: (host) => {
      if (env.DEVENV_CACHE_TOKEN) return { token: env.DEVENV_CACHE_TOKEN };
      if (env.DEVENV_CACHE_USER && env.DEVENV_CACHE_PASSWORD !== undefined) return { user: env.DEVENV_CACHE_USER, password: env.DEVENV_CACHE_PASSWORD };
      return dockerCredentials(host, env.DOCKER_CONFIG || join(homedir(), ".docker"), systemPath(env, cwd)) ?? {};
    },
    env,
    log,
    progress: createProgress(process.stderr, flags.quiet !== true),
    http: new Http({ offline, userAgent: `devenv/${version}`, timeoutMs: httpTimeout(env), cacheDir: layout.httpCache, proxy: proxySettings(env) }),
    version,
  };
}

/** The user's own settings: `$XDG_CONFIG_HOME/devenv/config.json` (else ~/.config/devenv/config.json). */
function userSettingsFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(config, "devenv", "config.json");
}

/**
 * What a user sets once for every project: `{ "cache": "oci://registry/team/devenv" }`.
 * The environment wins over it; devenv.ts never can (a repository must not redirect a user's downloads).
 */
function userSettings(env: NodeJS.ProcessEnv): { cache?: string } {
  const file = userSettingsFile(env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch (error) {
    throw new DevenvError("usage", `${file} is not valid JSON (${(error as Error).message})`, { hint: 'write e.g. { "cache": "oci://ghcr.io/acme/devenv-cache" }' });
  }
  const cache = (settings as { cache?: unknown } | null)?.cache;
  if (cache !== undefined && typeof cache !== "string") throw new DevenvError("usage", `${file}: "cache" must be a string`, { hint: 'write e.g. { "cache": "oci://ghcr.io/acme/devenv-cache" }' });
  return { cache };
}

/** DEVENV_HTTP_TIMEOUT, in seconds: for slow links (and for tests of stalled mirrors). */
function httpTimeout(env: NodeJS.ProcessEnv): number {
  const raw = env.DEVENV_HTTP_TIMEOUT;
  if (raw === undefined || raw === "") return 30_000;
  const seconds = Number(raw);
  if (!(seconds > 0)) throw new DevenvError("usage", `DEVENV_HTTP_TIMEOUT=${raw} is not a number of seconds`, { hint: "e.g. DEVENV_HTTP_TIMEOUT=60" });
  return seconds * 1000;
}

/** The proxy variables as curl reads them: lower case first, then upper case (an empty value is unset). */
function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const read = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  return { httpProxy: read("HTTP_PROXY"), httpsProxy: read("HTTPS_PROXY"), noProxy: read("NO_PROXY") };
}

/**
 * PATH as the launcher's tool_path has it: no relative entries, nothing inside the project
 * around `cwd` or the environment's DEVENV_ROOT (whose node_modules/.bin and the like a
 * repository fills), for the programs devenv itself starts.
 */
function systemPath(env: NodeJS.ProcessEnv, cwd: string): string {
  const projects: string[] = [];
  if (env.DEVENV_ROOT && isAbsolute(env.DEVENV_ROOT)) projects.push(env.DEVENV_ROOT);
  try {
    projects.push(findProjectRoot(cwd));
  } catch {
    // not in a project
  }
  const inside = (dir: string) => projects.some((root) => dir === root || dir.startsWith(`${root}/`));
  return (env.PATH ?? "").split(":").filter((dir) => isAbsolute(dir) && !inside(dir)).join(":");
}

/** A flag variable counts when set to anything but empty, 0 or false. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

function devenvHome(env: NodeJS.ProcessEnv): string {
  if (env.DEVENV_HOME) {
    // Relative, it would name a place in whatever repository devenv runs in, where trust records could be shipped.
    if (!isAbsolute(env.DEVENV_HOME)) {
      throw new DevenvError("usage", `DEVENV_HOME=${env.DEVENV_HOME} is a relative path`, { hint: 'give an absolute path, e.g. DEVENV_HOME="$PWD/.devenv-home"' });
    }
    return resolve(env.DEVENV_HOME);
  }
  // The XDG spec: a relative path in an XDG variable is invalid and ignored (it would name a place in the repository).
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, "devenv");
  return process.platform === "darwin" ? join(homedir(), "Library", "Caches", "devenv") : join(homedir(), ".cache", "devenv");
}

function hostPlatform(): Platform {
  const os = { linux: "linux", darwin: "darwin" }[process.platform as string];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch as string];
  if (os === undefined || arch === undefined) {
    throw new DevenvError("platform-missing", `devenv does not support ${process.platform}-${process.arch}`, {
      hint: "supported platforms: linux-x64, linux-arm64, darwin-x64, darwin-arm64",
    });
  }
  return `${os}-${arch}` as Platform;
}

/** A resolver's mirror variable (DEVENV_NODE_MIRROR, DEVENV_GITHUB_MIRROR; docs/spec.md §7), checked and warned about once, when first needed. */
function mirrors(env: NodeJS.ProcessEnv, log: Log): (resolver: { readonly mirrorVariable?: string | undefined }) => string | undefined {
  const seen = new Map<string, string | undefined>();
  return ({ mirrorVariable: variable }) => {
    if (variable === undefined) return undefined;
    if (seen.has(variable)) return seen.get(variable);
    const value = env[variable]?.replace(/\/+$/, "") || undefined;
    if (value !== undefined) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new DevenvError("usage", `${variable}=${value} is not a URL`, { hint: `e.g. ${variable}=https://mirror.example.com/${variable.slice("DEVENV_".length, -"_MIRROR".length).toLowerCase()}` });
      }
      if (url.protocol === "http:" && !isLoopback(url.hostname)) {
        log.warn(`${variable} is plain http: integrity rests on the sha256 in devenv.lock alone`);
      }
    }
    seen.set(variable, value);
    return value;
  };
}
