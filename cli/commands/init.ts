import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { configFileName } from "../../config/find.js";
import { trust } from "../../config/trust.js";
import { configFingerprint } from "../../project/open.js";
import { detectPins, maxPinBytes, pinRefusal } from "../../config/pins.js";
import { DevenvError } from "../../errors.js";
import { writeFileAtomic } from "../../files/atomic.js";
import { readLimited } from "../../files/read-limited.js";
import { canonicalName, initFlags, isToolName, resolverOf, unknownTool } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/** Writes devenv.ts from --TOOL flags, or else from the pins the project already has (.nvmrc, go.mod, ...). */
export async function initCommand(ctx: Context, args: Record<string, unknown>): Promise<void> {
  // The real path, as every later command names the project (and its trust record).
  const root = realpathSync(ctx.cwd);
  const file = join(root, configFileName);
  if (existsSync(file) && args.force !== true) {
    throw new DevenvError("usage", `${file} already exists`, { hint: "edit it, or run `devenv init --force` to overwrite it" });
  }
  const tools: Array<[string, string]> = [];
  const asked = [
    ...initFlags.flatMap((name) => (typeof args[name] === "string" ? [{ name, spec: args[name] as string, flag: `--${name} ${JSON.stringify(args[name])}` }] : [])),
    ...[args.tool ?? []].flat().map(String).map((word) => {
      const at = word.indexOf("@", 1);
      const named = at === -1 ? word : word.slice(0, at);
      return { name: canonicalName(named) ?? named, spec: at === -1 ? "latest" : word.slice(at + 1), flag: `--tool ${word}` };
    }),
  ];
  for (const { name, spec, flag } of asked) {
    if (!isToolName(name)) throw unknownTool(name);
    if (!resolverOf(name).isValidSpec(spec)) throw new DevenvError("usage", `${flag}: ${JSON.stringify(spec)} is not a version spec`, { hint: 'use a version ("20"), a range ("^20.10"), or "latest"' });
    if (tools.some(([other]) => other === name)) throw new DevenvError("usage", `${flag}: ${name} is named twice`, { hint: `name each tool once` });
    tools.push([name, spec]);
  }
  if (tools.length === 0) {
    for (const pin of detectPins(ctx.cwd, (message) => ctx.log.warn(message))) {
      ctx.log.info(`${pin.tool} "${pin.spec}" from ${pin.source}`);
      tools.push([pin.tool, pin.spec]);
    }
  }
  if (tools.length === 0) {
    ctx.log.info('no version pins found; starting with node "lts"');
    tools.push(["node", "lts"]);
  }
  // With the types installed (node_modules/devenv), the typed form; without, a plain object: the
  // project's own tsc and linters must not fail on a module it does not have.
  const typed = hasOurTypes(root);
  writeFileAtomic(file, renderConfig(tools, typed));
  // Written by devenv from the user's own flags or pins: trusted by construction, exactly these bytes (an edit asks again).
  trust({ dir: ctx.layout.trust }, file, (await configFingerprint(ctx, root, file)).fingerprint);
  ctx.log.info(`wrote ${file}; next: \`devenv shell\`, or \`devenv run COMMAND\``);
  for (const linter of lintersOf(root)) ctx.log.info(`${linter.name} lints devenv.ts too; to keep it off: ${linter.ignore}`);
}

/**
 * Whether node_modules/devenv is devenv's (devenv-cli, or the types alone, devenv-types,
 * as README installs them): the npm name `devenv` alone is another project's.
 */
function hasOurTypes(root: string): boolean {
  try {
    const { name } = JSON.parse(readLimited(join(root, "node_modules", "devenv", "package.json"), maxPinBytes, pinRefusal).toString("utf8")) as { name?: unknown };
    return name === "devenv-cli" || name === "devenv-types";
  } catch {
    return false;
  }
}

/** A linter configured in the project, and the one line that keeps it off devenv.ts. */
interface Linter {
  readonly name: string;
  readonly ignore: string;
}

function lintersOf(root: string): Linter[] {
  const has = (...names: string[]) => names.some((name) => existsSync(join(root, name)));
  let manifest: Record<string, unknown> = {};
  try {
    manifest = JSON.parse(readLimited(join(root, "package.json"), maxPinBytes, pinRefusal).toString("utf8")) as Record<string, unknown>;
  } catch {
    // no package.json, or not JSON: no linter configured there
  }
  const devDependency = (name: string) => [manifest.devDependencies, manifest.dependencies].some((deps) => typeof deps === "object" && deps !== null && name in deps);
  const linters: Linter[] = [];
  if ("xo" in manifest || has(".xo-config", ".xo-config.json", ".xo-config.js", ".xo-config.cjs", "xo.config.js", "xo.config.cjs", "xo.config.mjs", "xo.config.ts") || devDependency("xo")) {
    linters.push({ name: "xo", ignore: 'add "devenv.ts" to "ignores" in package.json\'s "xo" (`"xo": { "ignores": ["devenv.ts"] }`)' });
  }
  if (has("eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts", "eslint.config.mts", "eslint.config.cts")) {
    linters.push({ name: "eslint", ignore: 'add `{ ignores: ["devenv.ts"] }` to the array eslint.config exports' });
  } else if ("eslintConfig" in manifest || has(".eslintrc", ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml", ".eslintrc.yaml")) {
    linters.push({ name: "eslint", ignore: "add the line `devenv.ts` to .eslintignore" });
  }
  if (has("biome.json", "biome.jsonc")) linters.push({ name: "biome", ignore: 'add "!devenv.ts" to "files.includes" in biome.json (biome 1.x: "devenv.ts" to "files.ignore")' });
  return linters;
}

/**
 * devenv.ts as init writes it. `typed`: with `defineConfig` from "devenv", for a project that has
 * the types; else a plain object that any tsc and linter accept as it is.
 */
export function renderConfig(tools: ReadonlyArray<readonly [string, string]>, typed: boolean): string {
  const lines = tools.map(([name, spec]) => `    ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}: ${JSON.stringify(spec)},`);
  const body = `{\n  tools: {\n${lines.join("\n")}\n  },\n}`;
  if (typed) return `import { defineConfig } from "devenv";\n\nexport default defineConfig(${body});\n`;
  return `// The toolchains of this project, for devenv (\`devenv run\`, \`devenv shell\`). Types, if you want them:\n// \`npm install -D devenv@npm:devenv-types\`, then wrap this object in defineConfig from "devenv".\nexport default ${body};\n`;
}
