import { DevenvError } from "../../errors.js";
import { aliases, resolverOf, toolNames } from "../../resolvers/registry.js";
import type { Context } from "../context.js";

/** `devenv search [WORD]`: the tools devenv knows by name, whose name, other names or description hold WORD. */
export async function searchCommand(_ctx: Context, args: Record<string, unknown>): Promise<void> {
  const word = args.word === undefined ? "" : String(args.word).toLowerCase();
  const others = new Map<string, string[]>();
  for (const [alias, name] of aliases()) others.set(name, [...(others.get(name) ?? []), alias]);
  const rows = toolNames()
    .map((name) => ({ name, aliases: others.get(name) ?? [], description: resolverOf(name).description ?? "" }))
    .filter((row) => [row.name, ...row.aliases, row.description].some((text) => text.toLowerCase().includes(word)));
  if (rows.length === 0) {
    throw new DevenvError("usage", `no tool devenv knows by name matches "${word}"`, {
      hint: "any repository's GitHub releases are a tool too: `github:OWNER/REPO` in devenv.ts, or `devenv add github:OWNER/REPO`",
    });
  }
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) process.stdout.write(`${row.name.padEnd(width)}  ${row.description}\n`);
}
