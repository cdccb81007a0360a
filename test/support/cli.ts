import { spawn } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const devenvBin = fileURLToPath(new URL("../../../bin/devenv", import.meta.url));
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every directory tempDir made in this process. */
const made: string[] = [];

/** A new directory in the system's temporary area, removed when this test file's process exits, passed or failed. */
export function tempDir(prefix = "devenv-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// node's test runner runs each file in a process of its own: its exit is the end of that file's tests.
// What cannot be removed is reported by the check at the end of `npm test` (test/support/leaks.ts), not thrown here.
process.on("exit", () => made.forEach((dir) => removeNow(dir)));

/** rm -r, also of read-only store entries (whose directories lose their write bits). */
function removeNow(dir: string, again = true): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    if (!again) return;
    const writable = (path: string): void => {
      if (!lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) return;
      chmodSync(path, 0o755);
      readdirSync(path).forEach((name) => writable(join(path, name)));
    };
    try {
      writable(dir);
    } catch {
      // removed meanwhile, or not ours to change
    }
    removeNow(dir, false);
  }
}

let userConfig: string | undefined;

/**
 * The environment every test starts from: nothing of the developer's devenv or
 * CI settings leaks in. Test projects are trusted (DEVENV_TRUST=1) unless a
 * test of trust takes that away.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // No user settings of the developer's (~/.config/devenv/config.json) reach a test: an empty config home of its own.
  userConfig ??= tempDir("devenv-user-config-");
  // fish keeps its runtime directory in XDG_RUNTIME_DIR, else in TMPDIR as fish.$USER, and its history
  // in XDG_DATA_HOME: both stay in the test's own temporary directory (test/support/leaks.ts checks).
  const runtime = join(userConfig, "runtime");
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = { DEVENV_TRUST: "1", XDG_CONFIG_HOME: userConfig, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: join(userConfig, "data") };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("DEVENV_") && !["CI", "NO_COLOR", "FORCE_COLOR", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "DOCKER_CONFIG"].includes(name) && !name.startsWith("GITHUB_")) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Spawns the built CLI asynchronously: the mirror runs in this process and must keep answering. */
export function devenv(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<Result> {
  return run(devenvBin, args, options);
}

/** Spawns any program asynchronously and collects what it prints. */
export function run(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    // The launcher's hot path may exit before reading stdin at all.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/** A project directory holding the given devenv.ts. */
export function project(config: string, files: Record<string, string> = {}): string {
  const dir = tempDir("devenv-project-");
  writeFileSync(join(dir, "devenv.ts"), config);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export function nodeConfig(spec: string, extra = ""): string {
  return `import { defineConfig } from "devenv";\nexport default defineConfig({ tools: { node: ${JSON.stringify(spec)} }${extra} });\n`;
}
