import { realpathSync } from "node:fs";
import { projectState, storeLayout } from "../../layout.js";
import { cleanEnv, tempDir } from "./cli.js";
import { Mirror } from "./mirror.js";
import { publishNode, type NodeRelease } from "./upstreams.js";

export const standardNodeReleases: NodeRelease[] = [
  { version: "22.1.0" },
  { version: "21.0.0" },
  { version: "20.99.1", lts: "Iron" },
  { version: "20.98.0", lts: "Iron" },
  { version: "20.18.0", lts: "Iron" },
  { version: "18.20.9", lts: "Hydrogen" },
];

/** A mirror serving node releases, and a fresh DEVENV_HOME pointed at it. */
export interface World {
  readonly mirror: Mirror;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
}

export async function startMirror(releases: readonly NodeRelease[] = standardNodeReleases): Promise<Mirror> {
  const mirror = await Mirror.start();
  publishNode(mirror, releases);
  return mirror;
}

export function world(mirror: Mirror, extra: Record<string, string | undefined> = {}): World {
  const home = tempDir("devenv-home-");
  return { mirror, home, env: cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: mirror.url, ...extra }) };
}

/** An environment for a mirror that serves all three upstreams, under /node, /go and /python. */
export function polyglotEnv(mirror: Mirror, home = tempDir("devenv-home-")): NodeJS.ProcessEnv {
  return cleanEnv({ DEVENV_HOME: home, DEVENV_NODE_MIRROR: `${mirror.url}/node`, DEVENV_GO_MIRROR: `${mirror.url}/go`, DEVENV_PYTHON_MIRROR: `${mirror.url}/python` });
}

/** A toolchain's writable prefix for the project at `dir`, in its private state under DEVENV_HOME (layout.ts). */
export function prefixOf(home: string, dir: string, tool: string): string {
  return projectState(storeLayout(home), realpathSync(dir)).prefix(tool);
}
