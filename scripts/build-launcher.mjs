// Generates bin/devenv from cli/launcher.sh, after tsc has built dist/.
// The build id is a hash of everything the launcher and the CLI are made of:
// it changes exactly when devenv does, so an upgrade invalidates every cached environment.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const template = readFileSync(join(root, "cli", "launcher.sh"), "utf8");

const hash = createHash("sha256").update(template);
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).forEach((entry) => {
  const path = join(dir, entry.name);
  if (entry.isDirectory()) walk(path);
  else if (entry.name.endsWith(".js")) hash.update(path.slice(dist.length)).update(readFileSync(path));
});
walk(dist);
const buildId = hash.digest("hex").slice(0, 16);

const values = { BUILD_ID: buildId, NODE: process.execPath, DIST: dist, PLATFORM: process.platform };
for (const [name, value] of Object.entries(values)) {
  if (value.includes("'")) throw new Error(`${name} contains a single quote: ${value}`);
}
const launcher = template.replace(/@(BUILD_ID|NODE|DIST|PLATFORM)@/g, (_, name) => values[name]);

writeFileSync(join(dist, "build-id"), `${buildId}\n`);
mkdirSync(join(root, "bin"), { recursive: true });
const target = join(root, "bin", "devenv");
writeFileSync(`${target}.tmp`, launcher);
chmodSync(`${target}.tmp`, 0o755);
renameSync(`${target}.tmp`, target);
