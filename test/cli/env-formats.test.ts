import assert from "node:assert/strict";
import { needs } from "../support/programs.js";
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fishExports } from "../../shells/fish.js";
import { githubFiles } from "../../shells/github.js";
import { posixExports } from "../../shells/posix.js";
import { devenv, project, tempDir } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { prefixOf, startMirror, world } from "../support/world.js";

/** Everything a value can hold that a shell might mangle. */
const nasty = {
  SPACES: "  two  spaces  ",
  QUOTES: `it's "double" and 'single'`,
  DOLLAR: "$HOME ${HOME} $(echo no) `echo no` $((1+1)) \\$",
  BACKSLASH: "back\\slash \\n \\\\ \\' end\\",
  NEWLINES: "line one\nline two\n\nafter blank\n",
  UNICODE: "ünïcødé 🚀 日本語 \u00a0nbsp",
  GLOB: "* ? [a-z] ~ {a,b}",
  SEMICOLON: "a; echo injected | cat & wait",
  EMPTY: "",
  FISHY: "$fish_pid (echo no) {a,b} \\' '",
};

describe("shell snippets are exact (snapshots)", () => {
  const vars = { PATH: "/store/a/bin:/usr/bin", DEVENV_ROOT: "/p", Q: "it's" };
  it("bash, zsh and sh", () => {
    assert.equal(posixExports(vars), `export PATH='/store/a/bin:/usr/bin'\nexport DEVENV_ROOT='/p'\nexport Q='it'\\''s'\n`);
  });
  it("fish, with PATH as a list", () => {
    assert.equal(fishExports(vars), `set -gx PATH '/store/a/bin' '/usr/bin'\nset -gx DEVENV_ROOT '/p'\nset -gx Q 'it\\'s'\n`);
    assert.equal(fishExports({ B: "a\\b" }), `set -gx B 'a\\\\b'\n`);
  });
  it("github: directories reversed (the runner prepends line by line), multi-line values as heredocs", () => {
    const files = githubFiles({ dirs: ["/store/node/bin", "/store/go/bin"], vars: { DEVENV_ROOT: "/p", MULTI: "a\nb" } });
    assert.equal(files.path, "/store/go/bin\n/store/node/bin\n");
    const match = /^DEVENV_ROOT=\/p\nMULTI<<(ghadelimiter_[0-9a-f-]{36})\na\nb\n\1\n$/.exec(files.env);
    assert.ok(match, files.env);
  });
});

let mirror: Mirror;
before(async () => (mirror = await startMirror()));
after(() => mirror.close());

describe("devenv env round-trips the nastiest values through each real shell, byte for byte", () => {
  const config = `export default { tools: { node: "20" }, env: ${JSON.stringify(nasty)} };\n`;
  // Each shell prints every value NUL-terminated, so newlines survive the trip back.
  const printers = {
    bash: ["bash", ["-c", `eval "$1"; for n in ${Object.keys(nasty).join(" ")}; do printf '%s\\0' "\${!n}"; done; printf '%s\\0' "$(command -v node)"`]],
    zsh: ["zsh", ["-c", `eval "$1"; for n in ${Object.keys(nasty).join(" ")}; do printf '%s\\0' "\${(P)n}"; done; printf '%s\\0' "$(command -v node)"`]],
    fish: ["fish", ["-c", `eval $argv[1]; for n in ${Object.keys(nasty).join(" ")}; printf '%s\\0' "$$n"; end; printf '%s\\0' (command -v node)`]],
    sh: ["sh", ["-c", `eval "$1"; ${Object.keys(nasty).map((n) => `printf '%s\\0' "$${n}"`).join("; ")}; printf '%s\\0' "$(command -v node)"`]],
  } as const;
  for (const [format, [shell, args]] of Object.entries(printers)) {
    it(format, { skip: shell === "zsh" || shell === "fish" ? needs(shell) : false }, async () => {
      const dir = project(config);
      const { env } = world(mirror);
      const result = await devenv(["env", "--shell", format === "sh" ? "bash" : format], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      // fish's eval takes the whole snippet as one argument; bash, zsh and sh see it as $1.
      const evaluated = spawnSync(shell, [...args, ...(shell === "fish" ? [] : [shell]), result.stdout], { env, encoding: "utf8" });
      assert.equal(evaluated.status, 0, evaluated.stderr);
      const values = evaluated.stdout.split("\0");
      assert.deepEqual(values.slice(0, Object.keys(nasty).length), Object.values(nasty));
      assert.match(values[Object.keys(nasty).length]!, /\/store\/[0-9a-f]{32}-node-20\.99\.1\/bin\/node$/);
    });
  }

  it("defaults to the user's $SHELL: fish syntax for fish, bash syntax for anything else", async () => {
    const dir = project(`export default { tools: { node: "20" } };\n`);
    const { env } = world(mirror);
    assert.match((await devenv(["env"], { cwd: dir, env: { ...env, SHELL: "/usr/bin/fish" } })).stdout, /^set -gx PATH '/);
    assert.match((await devenv(["env"], { cwd: dir, env: { ...env, SHELL: "/bin/tcsh" } })).stdout, /^export PATH='/);
  });
});

describe("devenv env --shell github", () => {
  it("appends exactly what a later step needs, and a later step sees it the way the runner applies it", async () => {
    const dir = project(`export default { tools: { node: "20" }, env: { APP_ENV: "ci", MULTI: "one\\ntwo" }, path: ["node_modules/.bin"] };\n`);
    const { env, home } = world(mirror);
    const files = tempDir();
    const githubPath = join(files, "path");
    const githubEnv = join(files, "env");
    writeFileSync(githubPath, "/earlier/step/bin\n");
    appendFileSync(githubEnv, "");
    const result = await devenv(["env", "--shell", "github"], { cwd: dir, env: { ...env, GITHUB_PATH: githubPath, GITHUB_ENV: githubEnv } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    // The runner: each GITHUB_PATH line is prepended in turn; GITHUB_ENV lines are NAME=value or NAME<<DELIM heredocs.
    const prepend: string[] = [];
    for (const line of readFileSync(githubPath, "utf8").split("\n").filter(Boolean)) prepend.unshift(line);
    const later: Record<string, string> = {};
    const lines = readFileSync(githubEnv, "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
      if (heredoc) {
        const end = lines.indexOf(heredoc[2]!, i + 1);
        later[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
        i = end;
      } else if (lines[i]!.includes("=")) {
        later[lines[i]!.slice(0, lines[i]!.indexOf("="))] = lines[i]!.slice(lines[i]!.indexOf("=") + 1);
      }
    }
    const step = spawnSync("sh", ["-c", 'node; echo "$APP_ENV|$MULTI|$DEVENV_ROOT"; echo "$PATH"'], { env: { ...env, ...later, PATH: [...prepend, env.PATH].join(":") }, encoding: "utf8" });
    const prefix = prefixOf(home, dir, "node");
    assert.match(step.stdout, new RegExp(`^v20\\.99\\.1\nci\\|one\ntwo\\|${dir}\n${prefix}/corepack:/[^:]*-node-20\\.99\\.1/bin:${prefix}/bin:${dir}/node_modules/\\.bin:/earlier/step/bin:`));
  });

  it("without GITHUB_PATH and GITHUB_ENV, an error that says so", async () => {
    const result = await devenv(["env", "--shell", "github"], { cwd: project(`export default { tools: { node: "20" } };\n`), env: world(mirror).env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--shell github needs GITHUB_PATH and GITHUB_ENV/);
  });
});
