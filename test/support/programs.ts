import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The real programs the suite starts, and the Debian package of each. A test
 * that needs a missing one is skipped on a developer's machine, with a banner
 * at the top of `npm test` naming the one apt-get line that enables it; under
 * CI it runs, and fails, because CI must have installed it (.ci/run).
 */
export const programs = {
  zsh: "zsh",
  fish: "fish",
  direnv: "direnv",
  nginx: "nginx-light",
  tinyproxy: "tinyproxy",
  squid: "squid",
  python3: "python3",
  openssl: "openssl",
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  // Real programs, repacked into their upstreams' release layouts (test/support/github-tools.ts).
  rg: "ripgrep",
  jq: "jq",
  shellcheck: "shellcheck",
  gh: "gh",
  shfmt: "shfmt",
  fdfind: "fd-find",
  xz: "xz-utils",
  // The real clients beside the real postgres server (test/field/postgres.test.ts).
  psql: "postgresql-client",
} as const;

export type Program = keyof typeof programs;

const found = new Map<Program, boolean>();

export function installed(program: Program): boolean {
  let is = found.get(program);
  if (is === undefined) {
    is = spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
    found.set(program, is);
  }
  return is;
}

const underCi = (): boolean => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
};

/** For `it(name, { skip: needs("nginx") }, ...)`: a reason to skip, or false (always false under CI). */
export function needs(...wanted: Program[]): string | false {
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0 || underCi()) return false;
  return `${missing.join(", ")} not installed: apt-get install -y ${missing.map((p) => programs[p]).join(" ")}`;
}

/** The banner `npm test` prints first (see package.json's pretest). */
function banner(): string {
  const missing = (Object.keys(programs) as Program[]).filter((p) => !installed(p));
  if (missing.length === 0) return "";
  const apt = [...new Set(missing.map((p) => programs[p]))].join(" ");
  const verdict = underCi() ? "CI must have them: the tests that need them will fail" : "the tests that need them are skipped";
  return `\n*** Not installed: ${missing.join(", ")}; ${verdict}.\n*** To run every test: apt-get install -y ${apt}\n\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--banner") process.stdout.write(banner());
