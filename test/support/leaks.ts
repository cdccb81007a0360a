import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./cli.js";

/**
 * `npm test` marks when it starts (pretest) and, once it is over (posttest),
 * fails if the system's temporary area holds devenv-* entries made since, or
 * a shell's runtime directory (fish.$USER): a run leaves the temp dir as it found it.
 */
const marker = join(repoRoot, "node_modules", ".cache", "devenv-tests", "run-started");

function mark(): void {
  mkdirSync(join(marker, ".."), { recursive: true });
  writeFileSync(marker, `${process.pid}\n`);
}

function check(): number {
  const since = statSync(marker).mtimeMs;
  const left = readdirSync(tmpdir()).filter((name) => (name.startsWith("devenv-") || name.startsWith("fish.")) && (statSync(join(tmpdir(), name), { throwIfNoEntry: false })?.ctimeMs ?? 0) >= since);
  if (left.length === 0) return 0;
  process.stderr.write(`The test run left ${left.length} entries in ${tmpdir()}:\n${left.slice(0, 20).map((name) => `  ${name}\n`).join("")}${left.length > 20 ? "  ...\n" : ""}`);
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "--mark") mark();
  if (process.argv[2] === "--check") process.exitCode = check();
}
