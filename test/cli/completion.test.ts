import assert from "node:assert/strict";
import { toolNames } from "../../resolvers/registry.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, devenvBin, nodeConfig, project, run } from "../support/cli.js";
import type { Mirror } from "../support/mirror.js";
import { needs } from "../support/programs.js";
import { Terminal } from "../support/terminal.js";
import { startMirror, world } from "../support/world.js";

/** `devenv completion SHELL`, loaded into the real shell, in a project whose node is installed. */
let mirror: Mirror;
let dir: string;
let env: NodeJS.ProcessEnv;
before(async () => {
  mirror = await startMirror();
  dir = project(nodeConfig("20"));
  const w = world(mirror);
  env = { ...w.env, PATH: `${dirname(devenvBin)}:${w.env.PATH}` };
  assert.equal((await devenv(["install"], { cwd: dir, env })).code, 0);
});
after(() => mirror.close());

describe("shell completion", () => {
  it("bash: commands, flags, tool names, --shell's values, and for run the locked toolchains' binaries", async () => {
    // The function bash calls on TAB, with the words as bash would set them.
    const complete = async (...words: string[]) => {
      const script = `eval "$(devenv completion bash)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _devenv; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = await run("bash", ["-c", script], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.split("\n").filter(Boolean).sort();
    };
    assert.deepEqual(await complete("devenv", "r"), ["remove", "rollback", "run"]);
    assert.deepEqual(await complete("devenv", "lock", ""), ["--color", "--frozen", "--offline", "--quiet", "--verbose", "-C", "-q", "-v", ...[...toolNames()].sort()]);
    assert.deepEqual(await complete("devenv", "env", "--shell", "f"), ["fish"]);
    assert.deepEqual(await complete("devenv", "run", "n"), ["node", "npm"]);
    assert.deepEqual(await complete("devenv", "init", "--p"), ["--python"]);
  });

  it("bash: a binary's name is never evaluated (a store file named `$(touch …)` stays a name)", async () => {
    const hostile = "$(touch${IFS}pwned-tab)";
    // The names as `devenv completion binaries` would print them from a store holding such a file.
    const script = `eval "$(devenv completion bash)"; _devenv_binaries() { printf '%s\\n' nice '${hostile}' 'n\`touch pwned-tick\`'; }; COMP_WORDS=(devenv run ''); COMP_CWORD=2; _devenv; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = await run("bash", ["-c", script], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split("\n").filter((word) => word !== "" && !word.startsWith("-")).sort(), [hostile, "n`touch pwned-tick`", "nice"].sort());
    assert.ok(!existsSync(join(dir, "pwned-tab")) && !existsSync(join(dir, "pwned-tick")), "nothing ran");
  });

  it("fish: the same, through fish's own completion machinery", { skip: needs("fish") }, async () => {
    const complete = async (line: string) => {
      const result = await run("fish", ["-c", `devenv completion fish | source; complete -C '${line}'`], { cwd: dir, env });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!).sort();
    };
    assert.deepEqual(await complete("devenv ro"), ["rollback"]);
    assert.deepEqual(await complete("devenv run n"), ["node", "npm"]);
    assert.deepEqual(await complete("devenv run node "), [], "after the command, no more binaries");
    assert.deepEqual(await complete("devenv env --shell j"), ["json"]);
    assert.deepEqual((await complete("devenv update ")).filter((w) => !w.startsWith("-")), [...toolNames()].sort());
  });

  it("zsh: TAB in a real interactive zsh completes commands, values and binaries", { skip: needs("zsh") }, async () => {
    const term = new Terminal("zsh", ["-f", "-i"], { cwd: dir, env: { ...env, TERM: "xterm" } });
    try {
      await term.run("PS1='zsh> '; autoload -Uz compinit && compinit -u -D && source <(devenv completion zsh) && echo LOADED", "LOADED");
      let prompt = term.output.lastIndexOf("LOADED");
      const quiet = async () => {
        for (let length = -1; length !== term.output.length; ) {
          length = term.output.length;
          await new Promise((resolve) => setTimeout(resolve, 400));
        }
      };
      // At the prompt: type, TAB, let zsh finish drawing the completion, then run the completed line:
      // what it prints shows what TAB made of it.
      const completes = async (typed: string, prints: string) => {
        const from = await term.waitFor("zsh> ", prompt);
        term.press(typed);
        await term.waitFor(typed, from);
        term.press("\t");
        await quiet();
        term.type("");
        prompt = await term.waitFor(prints, from);
      };
      await completes("devenv rollb", "devenv.lock has no earlier generations");
      await completes("devenv env --shell fi", "set -gx PATH '");
      await completes("devenv run np", "npm-for-node-20.99.1");
    } finally {
      term.type("exit");
      await term.exited;
    }
  });
});
