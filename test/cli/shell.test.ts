import assert from "node:assert/strict";
import { needs } from "../support/programs.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devenvBin, project, repoRoot, tempDir } from "../support/cli.js";
import { Mirror } from "../support/mirror.js";
import { Terminal } from "../support/terminal.js";
import { buildTarball } from "../support/tarball.js";
import { publishNode } from "../support/upstreams.js";
import { world } from "../support/world.js";

let mirror: Mirror;
before(async () => {
  mirror = await Mirror.start();
  const broken = "node-v20.66.6-linux-x64";
  publishNode(mirror, [
    { version: "20.99.1" },
    // A pinned node that fails whatever it is asked: devenv must never run itself on it.
    { version: "20.66.6", linuxX64: buildTarball([{ path: `${broken}/` }, { path: `${broken}/bin/` }, { path: `${broken}/bin/node`, mode: 0o755, content: "#!/bin/sh\necho 'pinned node must not run devenv' >&2\nexit 99\n" }]) },
  ]);
});
after(() => mirror.close());

/** A home whose rc file puts a system `node` first on PATH, sets a prompt and an alias, as nvm or Homebrew setups do. */
const rcFiles = {
  bash: { file: ".bashrc", text: `export PATH="$HOME/system-node:$PATH"\nPS1='bash$ '\nalias hello='echo alias-works'\n`, prompt: "bash$ ", orEcho: "||" },
  zsh: { file: ".zshrc", text: `export PATH="$HOME/system-node:$PATH"\nPROMPT='zsh%% '\nalias hello='echo alias-works'\n`, prompt: "zsh% ", orEcho: "||" },
  fish: { file: ".config/fish/config.fish", text: `set -gx PATH $HOME/system-node $PATH\nfunction fish_prompt; printf 'fish> '; end\nalias hello 'echo alias-works'\nset -g fish_greeting\n`, prompt: "fish> ", orEcho: "; or" },
} as const;

function setup(shell: keyof typeof rcFiles, spec = "20.99.1") {
  const home = tempDir("devenv-home-dir-");
  mkdirSync(join(home, "system-node"));
  writeFileSync(join(home, "system-node", "node"), "#!/bin/sh\necho system-node\n", { mode: 0o755 });
  mkdirSync(join(home, rcFiles[shell].file, ".."), { recursive: true });
  writeFileSync(join(home, rcFiles[shell].file), rcFiles[shell].text);
  // fish's first start generates completions in the background, writing into HOME after the test is over.
  mkdirSync(join(home, ".local/share/fish/generated_completions"), { recursive: true });
  const outerBin = tempDir("devenv-outer-bin-");
  writeFileSync(join(outerBin, "outer-tool"), "#!/bin/sh\necho OUTER-TOOL\n", { mode: 0o755 });
  const dir = project(`export default { tools: { node: "${spec}" }, env: { APP_ENV: "dev" } };\n`);
  const w = world(mirror);
  const env = { ...w.env, HOME: home, SHELL: `/usr/bin/${shell}`, TERM: "xterm", PATH: `${join(repoRoot, "bin")}:${outerBin}:${w.env.PATH}`, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share") };
  return { dir, env };
}

for (const shell of ["bash", "zsh", "fish"] as const) {
  describe(`devenv shell with ${shell}`, { skip: shell === "bash" ? false : needs(shell) }, () => {
    const { prompt, orEcho } = rcFiles[shell];

    it("runs the user's rc file, yet the locked node wins; DEVENV_ROOT, env and aliases are there; exit code passes through", async () => {
      const { dir, env } = setup(shell);
      const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env });
      await term.waitFor(`(devenv) ${prompt}`);
      await term.run("node --version", "v20.99.1");
      await term.run("echo root=$DEVENV_ROOT app=$APP_ENV", `root=${dir} app=dev`);
      await term.run("hello", "alias-works");
      term.type("exit 7");
      assert.equal(await term.exited, 7);
      assert.doesNotMatch(term.output, /system-node/);
    });

    it("--pure hides a tool from the outer PATH", async () => {
      const { dir, env } = setup(shell);
      const term = new Terminal(devenvBin, ["shell", "--pure"], { cwd: dir, env });
      await term.waitFor(`(devenv) ${prompt}`);
      await term.run(`outer-tool ${orEcho} echo pure-hides-it`, "pure-hides-it");
      await term.run("node --version", "v20.99.1");
      term.type("exit");
      assert.equal(await term.exited, 0);
      assert.doesNotMatch(term.output, /OUTER-TOOL/);
    });
  });
}

describe("devenv shell, beyond the shells", () => {
  it("DEVENV_PROMPT=0 leaves the prompt alone", async () => {
    const { dir, env } = setup("bash");
    const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env: { ...env, DEVENV_PROMPT: "0" } });
    await term.waitFor("bash$ ");
    await term.run("node --version", "v20.99.1");
    term.type("exit 3");
    assert.equal(await term.exited, 3);
    assert.doesNotMatch(term.output, /\(devenv\)/);
  });

  it("a shell inside a devenv shell says so and still works", async () => {
    const { dir, env } = setup("bash");
    const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env });
    await term.waitFor("(devenv) bash$ ");
    await term.run("devenv shell", "already in a devenv environment");
    await term.waitFor("(devenv) bash$ ", term.output.indexOf("already in a devenv environment"));
    await term.run("node --version; exit 4", "v20.99.1");
    await term.run("echo inner=$?", "inner=4");
    term.type("exit");
    assert.equal(await term.exited, 0);
  });

  it("devenv keeps running on its own Node.js inside an environment whose pinned node refuses to run", async () => {
    const { dir, env } = setup("bash", "20.66.6");
    const term = new Terminal(devenvBin, ["shell"], { cwd: dir, env });
    await term.waitFor("(devenv) bash$ ");
    await term.run("node; echo pinned=$?", "pinned=99");
    await term.run("devenv list >/dev/null && devenv env --shell json >/dev/null && devenv -q run sh -c 'exit 0' && echo devenv-still-works", "devenv-still-works");
    term.type("exit");
    assert.equal(await term.exited, 0);
  });
});
