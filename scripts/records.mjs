// What the records decide outside resolvers/: devenv.ts's types of tool names (config/define.ts)
// and README's tool table. Each lives between two marker lines and is written from
// resolvers/records/*.json by `npm run records`; `--check` (run by test/unit/records.test.ts)
// fails naming the file that is out of date.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "resolvers", "records");
const records = readdirSync(dir)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({ name: file.slice(0, -".json".length), ...JSON.parse(readFileSync(join(dir, file), "utf8")) }));

const source = (record) => (record.repo !== undefined ? `[${record.repo}](https://github.com/${record.repo}/releases)` : new URL(record.download).host);
const checksums = (record) => (record.checksums !== undefined ? "upstream's file" : record.repo !== undefined ? "GitHub's digest, else computed" : "computed");

const blocks = {
  "config/define.ts": {
    start: "  // records:start (npm run records)",
    end: "  // records:end",
    body: records.map((record) => `  /** ${record.description.replaceAll("*/", "* /")} */\n  ${JSON.stringify(record.name)}?: ${record.variants === undefined ? "ToolSpec" : `string | { version: string; variant?: ${Object.keys(record.variants).map((v) => JSON.stringify(v)).join(" | ")} }`};`).join("\n"),
  },
  "README.md": {
    start: "<!-- tools:start (npm run records) -->",
    end: "<!-- tools:end -->",
    body: [
      "| tool | on PATH | from | sha256 from | what it is |",
      "| --- | --- | --- | --- | --- |",
      ...records.map((record) => `| \`${record.name}\`${record.aliases ? ` (${record.aliases.map((a) => `\`${a}\``).join(", ")})` : ""} | ${Object.keys(record.bin).map((b) => `\`${b}\``).join(", ")} | ${source(record)} | ${checksums(record)} | ${record.description} |`),
    ].join("\n"),
  },
};

const check = process.argv.includes("--check");
const stale = [];
for (const [file, { start, end, body }] of Object.entries(blocks)) {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${file} has no "${start}" ... "${end}" block`);
  const next = `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
  if (next === text) continue;
  if (check) stale.push(file);
  else writeFileSync(path, next);
}
if (stale.length > 0) {
  console.error(`out of date with resolvers/records: ${stale.join(", ")}; run \`npm run records\``);
  process.exit(1);
}
