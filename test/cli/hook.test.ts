import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenv, devenvBin, project, repoRoot, tempDir } from "../support/cli.js";
import { recordingLauncher } from "../support/launcher.js";
import { Mirror } from "../support/mirror.js";
import { needs } from "../support/programs.js";
import { Terminal } from "../support/terminal.js";
import { publishNode } from "../support/upstreams.js";
import { world } from "../support/world.js";

let mirror: Mirror;
before(async () => {
  mirror = await Mirror.start();
  publishNode(mirror, [{ version: "20.99.1" }, { version: "18.20.9" }]);
});
after(() => mirror.close());

/** Echoes `word` (typed so that the echo of the line itself does not match) and waits for the next prompt. */
async function say(term: Terminal, word: string, prompt: string): Promise<void> {
  const from = term.output.length;
  term.type(`echo "${word[0]}""${word.slice(1)}"`);
  await term.waitFor(prompt, await term.waitFor(`${word}\r\n`, from));
}

/** How each shell loads the hook from its rc file, shows PATH whole, and prompts. */
const shells = {
  bash: { rc: ".bashrc", load: (hook: string) => `PS1='bash$ '\n. '${hook}'\n`, path: `printf 'P=%s=\\n' "$PATH"` },
  zsh: { rc: ".zshrc", load: (hook: string) => `PROMPT='zsh%% '\n. '${hook}'\n`, path: `printf 'P=%s=\\n' "$PATH"` },
  fish: { rc: ".config/fish/config.fish", load: (hook: string) => `set -g fish_greeting\nfunction fish_prompt; printf 'fish> '; end\nsource '${hook}'\n`, path: `printf 'P=%s=\\n' (string join : $PATH)` },
} as const;

for (const shell of ["bash", "zsh", "fish"] as const) {
  describe(`devenv hook ${shell}`, { skip: shell === "bash" ? false : needs(shell) }, () => {
    it("cd into a project loads it, into a sibling swaps it, out of both restores PATH byte for byte; no Node.js while nothing changed", async () => {
      const home = tempDir("devenv-home-dir-");
      const launcher = recordingLauncher();
      const { env: base } = world(mirror);
      const hooked = (await devenv(["hook", shell], { cwd: home, env: base })).stdout.replaceAll(devenvBin, launcher.bin);
      assert.ok(hooked.includes(launcher.bin), "the hook calls devenv by its absolute path");
      const hookFile = join(home, `hook.${shell}`);
      writeFileSync(hookFile, hooked);
      mkdirSync(join(home, shells[shell].rc, ".."), { recursive: true });
      writeFileSync(join(home, shells[shell].rc), shells[shell].load(hookFile));
      mkdirSync(join(home, ".local/share/fish/generated_completions"), { recursive: true });

      const parent = tempDir("devenv-projects-");
      for (const [name, spec, app] of [["a", "20.99.1", "alpha"], ["b", "18.20.9", "beta"]]) {
        mkdirSync(join(parent, name!));
        writeFileSync(join(parent, name!, "devenv.ts"), `export default { tools: { node: "${spec}" }, env: { APP_ENV: "${app}" }, path: ["tools"] };\n`);
        // Loading never writes devenv.lock: each project is locked first, as a cloned one is.
        assert.equal((await devenv(["lock"], { cwd: join(parent, name!), env: base })).code, 0);
      }
      const env = { ...base, HOME: home, SHELL: `/usr/bin/${shell}`, TERM: "xterm", PATH: `${join(repoRoot, "bin")}:/usr/bin:/bin`, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share") };
      const term = new Terminal(`/usr/bin/${shell}`, shell === "fish" ? ["-i"] : ["-i"], { cwd: parent, env });
      const prompt = { bash: "bash$ ", zsh: "zsh% ", fish: "fish> " }[shell];
      await term.waitFor(prompt);
      const pathNow = async () => {
        const from = term.output.length;
        term.type(shells[shell].path);
        const end = await term.waitFor("=\r\n", term.output.indexOf("P=/", from) === -1 ? (await term.waitFor("P=/", from)) - 3 : from);
        return term.output.slice(term.output.lastIndexOf("P=", end) + 2, end - 3);
      };
      const outside = await pathNow();
      assert.equal(outside, `${join(repoRoot, "bin")}:/usr/bin:/bin`);

      await term.run("cd a", prompt);
      await term.run("node --version", "v20.99.1");
      await term.run("echo app=$APP_ENV", "app=alpha");
      const inA = await pathNow();
      assert.ok(inA.includes(join(parent, "a", "tools")), inA);
      const starts = launcher.nodeStarts();
      for (let i = 0; i < 3; i++) await say(term, `still-${i}`, prompt);
      await term.run("node --version", "v20.99.1");
      assert.equal(launcher.nodeStarts(), starts, "prompts in an unchanged project start no Node.js");

      await term.run("cd ../b", prompt);
      await term.run("node --version", "v18.20.9");
      await term.run("echo app=$APP_ENV", "app=beta");
      const inB = await pathNow();
      assert.ok(!inB.includes(join(parent, "a")), `nothing of project a is left: ${inB}`);

      await term.run("cd ..", prompt);
      assert.equal(await pathNow(), outside);
      await term.run(`echo "app=[$APP_ENV]"`, "app=[]");
      const before = launcher.nodeStarts();
      await term.run("cd /; cd -", prompt);
      await say(term, "done", prompt);
      assert.equal(launcher.nodeStarts(), before, "outside a project the hook starts nothing");
      term.type("exit");
      await term.exited;
    });
  });
}

describe("devenv hook bash in an untrusted project", () => {
  it("says once what to do, never prompts, and loads at the next prompt after devenv trust", async () => {
    const home = tempDir("devenv-home-dir-");
    const { env: base } = world(mirror);
    const { DEVENV_TRUST: _, ...untrusted } = base;
    writeFileSync(join(home, "hook.bash"), (await devenv(["hook", "bash"], { cwd: home, env: base })).stdout);
    writeFileSync(join(home, ".bashrc"), `PS1='bash$ '\n. '${join(home, "hook.bash")}'\n`);
    const dir = project(`export default { tools: { node: "20.99.1" } };\n`);
    // Locked (DEVENV_TRUST=1 trusts this one run, and records nothing): loading never writes devenv.lock.
    assert.equal((await devenv(["lock"], { cwd: dir, env: base })).code, 0);
    const env = { ...untrusted, HOME: home, SHELL: "/usr/bin/bash", TERM: "xterm", PATH: `${join(repoRoot, "bin")}:/usr/bin:/bin` };
    const term = new Terminal("/usr/bin/bash", ["-i"], { cwd: dir, env });
    await term.waitFor("bash$ ");
    await term.waitFor("is not trusted");
    for (let i = 0; i < 2; i++) await say(term, `n-${i}`, "bash$ ");
    assert.equal(term.output.split("is not trusted").length, 2, "said once");
    await term.run("devenv trust", "bash$ ");
    await term.run("echo next", "bash$ ");
    await term.run("node --version", "v20.99.1");
    term.type("exit");
    await term.exited;
  });
});

describe("devenv hook bash after an edit of devenv.ts", () => {
  it("never writes devenv.lock: says once that it is stale and what to run, unloads, and loads again once locked", async () => {
    const home = tempDir("devenv-home-dir-");
    const { env: base } = world(mirror);
    writeFileSync(join(home, "hook.bash"), (await devenv(["hook", "bash"], { cwd: home, env: base })).stdout);
    writeFileSync(join(home, ".bashrc"), `PS1='bash$ '\n. '${join(home, "hook.bash")}'\n`);
    const dir = project(`export default { tools: { node: "20.99.1" } };\n`);
    assert.equal((await devenv(["lock"], { cwd: dir, env: base })).code, 0);
    const lock = readFileSync(join(dir, "devenv.lock"), "utf8");
    const env = { ...base, HOME: home, SHELL: "/usr/bin/bash", TERM: "xterm", PATH: `${join(repoRoot, "bin")}:/usr/bin:/bin` };
    const term = new Terminal("/usr/bin/bash", ["-i"], { cwd: dir, env });
    await term.waitFor("bash$ ");
    await term.run("node --version", "v20.99.1");
    writeFileSync(join(dir, "devenv.ts"), `export default { tools: { node: "18.20.9" } };\n`);
    await term.run("echo edited", "does not match devenv.ts");
    for (let i = 0; i < 2; i++) await say(term, `p-${i}`, "bash$ ");
    assert.equal(term.output.split("does not match devenv.ts").length, 2, "said once");
    await term.run("echo root=${DEVENV_ROOT:-unloaded}", "root=unloaded");
    assert.equal(readFileSync(join(dir, "devenv.lock"), "utf8"), lock, "the prompt wrote no tracked file");
    await term.run("devenv lock", "bash$ ");
    await term.run("echo next", "bash$ ");
    await term.run("node --version", "v18.20.9");
    term.type("exit");
    await term.exited;
  });
});
