import { DevenvError } from "../errors.js";
import { services } from "../services/registry.js";
import { validateProcesses, type ProcessSpec } from "./processes.js";
import { validateScripts, type ScriptSpec } from "./scripts.js";
import type { GithubOptions } from "../resolvers/github-repo.js";
import { githubName, isToolName, resolverOf, unknownTool, type ToolName } from "../resolvers/registry.js";

export interface ToolRequest {
  readonly name: ToolName;
  readonly spec: string;
  /** One of the resolver's variants; absent for upstream's default build. */
  readonly variant?: string | undefined;
  /** A `github:` tool's choice of asset and programs (config/define.ts, GithubSpec). */
  readonly options?: GithubOptions | undefined;
}

/** A devenv.ts that passed validation: the only shape the rest of devenv sees. */
export interface ProjectConfig {
  /** In the order of `tools`, which is the order on PATH. */
  readonly tools: ToolRequest[];
  readonly env: Record<string, string>;
  /** As written: project-relative (or absolute) directories. */
  readonly path: string[];
  /** What `devenv up` runs, in an order that starts each after what it names in `after`. */
  readonly processes: readonly ProcessSpec[];
  /** Commands on PATH inside the environment, after the tools (`devenv run fmt`). */
  readonly scripts: readonly ScriptSpec[];
  /** The services devenv.ts enables, each with its validated options (services/registry.ts). */
  readonly services: ReadonlyArray<{ readonly name: string; readonly options: unknown }>;
}

const topLevelKeys = ["tools", "env", "path", "processes", "services", "scripts"];
/** Variables devenv itself owns; setting them through `env` would break the environment. */
const reservedEnv = new Set(["PATH", "DEVENV_ROOT"]);

export function validateConfig(raw: unknown, file: string): ProjectConfig {
  const fail = (key: string, value: unknown, problem: string, hint: string) =>
    new DevenvError("config-invalid", `${file}: ${key} = ${show(value)}: ${problem}`, { hint });

  if (!isPlainObject(raw)) throw fail("default export", raw, "must be an object", "export default defineConfig({ tools: { node: \"20\" } })");
  for (const key of Object.keys(raw)) {
    if (!topLevelKeys.includes(key)) throw fail(key, raw[key], `unknown key; allowed: ${topLevelKeys.join(", ")}`, `remove or rename "${key}"`);
  }

  const tools: ToolRequest[] = [];
  const rawTools = raw.tools ?? {};
  if (!isPlainObject(rawTools)) throw fail("tools", rawTools, "must be an object of tool: version", 'tools: { node: "20" }');
  for (const [name, value] of Object.entries(rawTools)) {
    const key = `tools.${name}`;
    if (!isToolName(name)) {
      const unknown = unknownTool(name, "config-invalid");
      throw fail(key, value, unknown.message.replace(`unknown tool "${name}"`, "unknown tool"), unknown.hint ?? "");
    }
    const spec = isPlainObject(value) ? value.version : value;
    const variants = resolverOf(name).variants ?? [];
    let variant: string | undefined;
    let options: GithubOptions | undefined;
    if (isPlainObject(value)) {
      const allowed = githubName.test(name) ? ["version", "asset", "bin"] : variants.length > 0 ? ["version", "variant"] : ["version"];
      const extra = Object.keys(value).find((k) => !allowed.includes(k));
      if (extra !== undefined) throw fail(`${key}.${extra}`, value[extra], `unknown option; allowed: ${allowed.join(", ")}`, `remove "${extra}"`);
      if (value.variant !== undefined) {
        if (typeof value.variant !== "string" || !variants.includes(value.variant)) throw fail(`${key}.variant`, value.variant, `not a ${name} build; known: ${variants.join(", ")}`, `use one of ${variants.join(", ")}, or leave it out for upstream's default`);
        variant = value.variant;
      }
      if (value.asset !== undefined && (typeof value.asset !== "string" || value.asset === "" || value.asset.includes("/"))) throw fail(`${key}.asset`, value.asset, "must be an asset's file name, or a glob of it", 'e.g. asset: "fd-v{version}-{arch}-*-linux-musl.tar.gz"');
      if (value.bin !== undefined && !(Array.isArray(value.bin) && value.bin.length > 0 && value.bin.every((p) => typeof p === "string" && p !== "" && !p.startsWith("/") && !p.split("/").includes("..")))) {
        throw fail(`${key}.bin`, value.bin, "must list paths inside the archive", 'e.g. bin: ["bin/tool"]');
      }
      if (value.asset !== undefined || value.bin !== undefined) options = { asset: value.asset as string | undefined, bin: value.bin as string[] | undefined };
    }
    if (typeof spec !== "string" || spec.trim() === "") {
      throw fail(key, value, "must be a version spec string", `e.g. ${name}: "latest", or a version or range`);
    }
    if (!resolverOf(name).isValidSpec(spec.trim())) {
      throw fail(key, value, "not a version spec", 'use a version ("20", "20.18.0"), a semver range ("^20.10"), or "latest"');
    }
    tools.push({ name, spec: spec.trim(), ...(variant === undefined ? {} : { variant }), ...(options === undefined ? {} : { options }) });
  }

  const env: Record<string, string> = {};
  const rawEnv = raw.env ?? {};
  if (!isPlainObject(rawEnv)) throw fail("env", rawEnv, "must be an object of NAME: string", 'env: { APP_ENV: "dev" }');
  for (const [name, value] of Object.entries(rawEnv)) {
    const key = `env.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw fail(key, value, "not a valid variable name", "use letters, digits and _");
    if (reservedEnv.has(name)) throw fail(key, value, "is set by devenv itself", name === "PATH" ? "list directories in `path` instead" : `remove env.${name}`);
    if (typeof value !== "string") throw fail(key, value, "must be a string", `quote it: ${name}: "${String(value)}"`);
    // No process can be given a variable holding NUL: the operating system ends the string there.
    if (value.includes("\0")) throw fail(key, value, "holds a NUL character, which no environment variable can", "remove it");
    env[name] = value;
  }

  const rawPath = raw.path ?? [];
  if (!Array.isArray(rawPath)) throw fail("path", rawPath, "must be an array of directories", 'path: ["node_modules/.bin"]');
  rawPath.forEach((entry, i) => {
    if (typeof entry !== "string" || entry === "" || entry.includes(":") || entry.includes("\0")) {
      throw fail(`path[${i}]`, entry, "must be a non-empty directory without ':' or NUL", 'path: ["node_modules/.bin"]');
    }
  });

  const rawServices = raw.services ?? {};
  if (!isPlainObject(rawServices)) throw fail("services", rawServices, "must be an object of NAME: options", "services: { postgres: { port: 5433 } }");
  const enabled = Object.entries(rawServices).flatMap(([name, value]) => {
    const service = services[name];
    if (service === undefined) throw fail(`services.${name}`, value, `unknown service; known: ${Object.keys(services).join(", ")}`, `remove "${name}", or run it as one of \`processes\``);
    if (value === false) return [];
    if (!tools.some((tool) => tool.name === service.tool)) throw fail(`services.${name}`, value, `runs the ${service.tool} of devenv.ts's tools, which has none`, `pin it: tools: { ${service.tool}: "17" }`);
    return [{ name, options: service.validate(value, fail) }];
  });
  return { tools, env, path: rawPath as string[], processes: validateProcesses(raw.processes, fail, enabled.map((s) => s.name)), services: enabled, scripts: validateScripts(raw.scripts, fail) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
