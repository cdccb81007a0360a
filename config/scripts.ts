import type { DevenvError } from "../errors.js";

/** One of devenv.ts's `scripts`: a command on PATH inside the environment (docs/spec.md §5). */
export interface ScriptSpec {
  readonly name: string;
  readonly run: string;
  readonly description: string | undefined;
}

/** `scripts: { fmt: "biome format --write .", test: { run: "npm test", description: "all tests" } }`. */
export function validateScripts(raw: unknown, fail: (key: string, value: unknown, problem: string, hint: string) => DevenvError): ScriptSpec[] {
  if (raw === undefined) return [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw fail("scripts", raw, "must be an object of NAME: command", 'scripts: { fmt: "biome format --write ." }');
  return Object.entries(raw).map(([name, value]) => {
    const key = `scripts.${name}`;
    // A file name on PATH: no path, no option, nothing a shell would split.
    if (!/^[A-Za-z][\w.-]*$/.test(name)) throw fail(key, value, "is no command name", "use letters, digits, ., - and _, starting with a letter");
    const form = typeof value === "string" ? { run: value } : (value as Record<string, unknown>);
    if (typeof form !== "object" || form === null || Array.isArray(form)) throw fail(key, value, "must be a command, or { run, description }", `${name}: "npm test"`);
    const extra = Object.keys(form).find((k) => k !== "run" && k !== "description");
    if (extra !== undefined) throw fail(`${key}.${extra}`, form[extra], "unknown option; allowed: run, description", `remove "${extra}"`);
    if (typeof form.run !== "string" || form.run.trim() === "" || form.run.includes("\0")) throw fail(`${key}.run`, form.run, "must be a command", `${name}: { run: "npm test" }`);
    if (form.description !== undefined && (typeof form.description !== "string" || /[\n\0]/.test(form.description))) throw fail(`${key}.description`, form.description, "must be one line of text", 'description: "all tests"');
    return { name, run: form.run, description: form.description as string | undefined };
  });
}
