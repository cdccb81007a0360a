import { spawn, type IPty } from "node-pty";

/** A program on a real pseudo-terminal, driven by typing and reading what it prints. */
export class Terminal {
  output = "";
  readonly exited: Promise<number>;
  private readonly pty: IPty;

  constructor(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.pty = spawn(file, args, { cwd: options.cwd, env: options.env as Record<string, string>, cols: 200, rows: 50, name: "xterm" });
    this.pty.onData((data) => (this.output += data));
    this.exited = new Promise((resolve) => this.pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  /** Waits until the output (from `from` on) contains `text`; fails with what was printed. */
  async waitFor(text: string, from = 0, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.output.indexOf(text, from);
      if (at !== -1) return at + text.length;
      if (Date.now() > deadline) {
        this.pty.kill();
        throw new Error(`timed out waiting for ${JSON.stringify(text)}; the terminal showed:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  type(line: string): void {
    this.pty.write(`${line}\r`);
  }

  /** Sends keys as they are (a TAB, Ctrl-A), without ending the line. */
  press(keys: string): void {
    this.pty.write(keys);
  }

  /** Types a line and waits for `expect` in what follows it. */
  async run(line: string, expect: string): Promise<void> {
    const from = this.output.length;
    this.type(line);
    await this.waitFor(expect, from);
  }
}
