import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { configFileName } from "../../config/find.js";
import { trust } from "../../config/trust.js";
import { configFingerprint } from "../../project/open.js";
import { detectPins } from "../../config/pins.js";
import { DevenvError } from "../../errors.js";
import { writeFileAtomic } from "../../files/atomic.js";
import { resolvers, toolNames } from "../../resolvers/registry.js";
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
  for (const name of toolNames) {
    const spec = args[name];
    if (typeof spec !== "string") continue;
    if (!resolvers[name].isValidSpec(spec)) throw new DevenvError("usage", `--${name} ${JSON.stringify(spec)} is not a version spec`, { hint: 'use a version ("20"), a range ("^20.10"), or "latest"' });
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
  writeFileAtomic(file, renderConfig(tools));
  // Written by devenv from the user's own flags or pins: trusted by construction, exactly these bytes (an edit asks again).
  trust({ dir: ctx.layout.trust }, file, (await configFingerprint(ctx, root, file)).fingerprint);
  ctx.log.info(`wrote ${file}; next: \`devenv shell\`, or \`devenv run COMMAND\``);
}

export function renderConfig(tools: ReadonlyArray<readonly [string, string]>): string {
  const lines = tools.map(([name, spec]) => `    ${name}: ${JSON.stringify(spec)},`);
  return `import { defineConfig } from "devenv";\n\nexport default defineConfig({\n  tools: {\n${lines.join("\n")}\n  },\n});\n`;
}
