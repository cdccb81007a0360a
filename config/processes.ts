import type { DevenvError } from "../errors.js";

import type { ProcessSpec, Readiness } from "../services/process.js";

export type { ProcessSpec, Readiness } from "../services/process.js";

const stopSignals = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"] as const;
const options = ["run", "after", "ready", "restart", "env", "cwd", "stop"];

/**
 * `processes` of devenv.ts: each a command (the short form) or `{ run, after, ready, restart, env, cwd, stop }`.
 * Returned in an order that starts each process after everything it names in `after`; a name that is
 * no process, or a cycle, is an error naming it.
 */
export function validateProcesses(raw: unknown, fail: (key: string, value: unknown, problem: string, hint: string) => DevenvError, services: readonly string[] = []): ProcessSpec[] {
  if (raw === undefined) return [];
  if (!isPlainObject(raw)) throw fail("processes", raw, "must be an object of NAME: command", 'processes: { web: "npm run dev" }');
  const specs = new Map<string, ProcessSpec>();
  for (const [name, value] of Object.entries(raw)) {
    const key = `processes.${name}`;
    if (!/^[A-Za-z][\w-]*$/.test(name)) throw fail(key, value, "is no process name", "use letters, digits, - and _, starting with a letter");
    if (services.includes(name)) throw fail(key, value, `is the name of a service`, "give it another name");
    const form = typeof value === "string" ? { run: value } : value;
    if (!isPlainObject(form)) throw fail(key, value, "must be a command, or { run, after, ready, ... }", `${name}: "npm run dev"`);
    const extra = Object.keys(form).find((k) => !options.includes(k));
    if (extra !== undefined) throw fail(`${key}.${extra}`, form[extra], `unknown option; allowed: ${options.join(", ")}`, `remove "${extra}"`);
    if (typeof form.run !== "string" || form.run.trim() === "" || form.run.includes("\0")) throw fail(`${key}.run`, form.run, "must be a command", `${name}: { run: "npm run dev" }`);
    const after = form.after ?? [];
    if (!Array.isArray(after) || !after.every((a) => typeof a === "string")) throw fail(`${key}.after`, after, "must list process names", 'after: ["db"]');
    const stop = form.stop ?? {};
    if (!isPlainObject(stop) || Object.keys(stop).some((k) => k !== "signal" && k !== "grace")) throw fail(`${key}.stop`, stop, "must be { signal, grace }", 'stop: { signal: "SIGINT", grace: 5 }');
    if (stop.signal !== undefined && !(stopSignals as readonly unknown[]).includes(stop.signal)) throw fail(`${key}.stop.signal`, stop.signal, `must be one of ${stopSignals.join(", ")}`, 'stop: { signal: "SIGTERM" }');
    if (stop.grace !== undefined && !(typeof stop.grace === "number" && stop.grace >= 0 && stop.grace <= 600)) throw fail(`${key}.stop.grace`, stop.grace, "must be seconds, 0 to 600", "stop: { grace: 10 }");
    if (form.restart !== undefined && form.restart !== "no" && form.restart !== "on-failure") throw fail(`${key}.restart`, form.restart, 'must be "no" or "on-failure"', 'restart: "on-failure"');
    const env = form.env ?? {};
    if (!isPlainObject(env) || !Object.entries(env).every(([k, v]) => /^[A-Za-z_]\w*$/.test(k) && typeof v === "string" && !v.includes("\0"))) throw fail(`${key}.env`, env, "must be an object of NAME: string", 'env: { PORT: "3000" }');
    const cwd = form.cwd ?? ".";
    if (typeof cwd !== "string" || cwd.startsWith("/") || cwd.split("/").includes("..") || cwd.includes("\0")) throw fail(`${key}.cwd`, cwd, "must be a directory inside the project", 'cwd: "web"');
    specs.set(name, {
      name,
      run: form.run,
      after: after as string[],
      ...readinessOf(form.ready, `${key}.ready`, fail),
      restart: (form.restart as "no" | "on-failure" | undefined) ?? "no",
      env: env as Record<string, string>,
      cwd,
      stop: { signal: (stop.signal as NodeJS.Signals | undefined) ?? "SIGTERM", grace: (stop.grace as number | undefined) ?? 10 },
    });
  }
  for (const spec of specs.values()) {
    // A service is ready once it answers (its databases are made after): `after: ["postgres"]`.
    const unknown = spec.after.find((name) => !specs.has(name) && !services.includes(name));
    if (unknown !== undefined) throw fail(`processes.${spec.name}.after`, spec.after, `names "${unknown}", which is no process`, `one of: ${[...specs.keys(), ...services].join(", ")}`);
  }
  return startOrder(specs, fail);
}

function readinessOf(raw: unknown, key: string, fail: (key: string, value: unknown, problem: string, hint: string) => DevenvError): { ready: Readiness; readyTimeout: number } {
  if (raw === undefined) return { ready: undefined, readyTimeout: 60 };
  const hint = "one of { tcp: PORT }, { http: URL }, { exec: CMD }, { log: REGEX }, with timeout: SECONDS if 60 is not enough";
  if (!isPlainObject(raw)) throw fail(key, raw, "must say how readiness shows", hint);
  const { timeout = 60, ...how } = raw;
  const kinds = Object.keys(how);
  if (kinds.length !== 1) throw fail(key, raw, "must name exactly one way", hint);
  if (!(typeof timeout === "number" && timeout > 0 && timeout <= 3600)) throw fail(`${key}.timeout`, timeout, "must be seconds, up to 3600", hint);
  const value = how[kinds[0]!];
  if (kinds[0] === "tcp" && Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536) return { ready: { tcp: value as number }, readyTimeout: timeout };
  if (kinds[0] === "http" && typeof value === "string" && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(value)) return { ready: { http: value }, readyTimeout: timeout };
  if (kinds[0] === "exec" && typeof value === "string" && value.trim() !== "") return { ready: { exec: value }, readyTimeout: timeout };
  if (kinds[0] === "log" && typeof value === "string") {
    try {
      new RegExp(value);
      return { ready: { log: value }, readyTimeout: timeout };
    } catch {
      // reported below
    }
  }
  throw fail(`${key}.${kinds[0]}`, value, kinds[0] === "http" ? "must be an http:// URL on this machine (127.0.0.1, localhost, [::1])" : "is not a way readiness shows", hint);
}

/** Everything `after` first; a cycle is named, process by process. */
function startOrder(specs: ReadonlyMap<string, ProcessSpec>, fail: (key: string, value: unknown, problem: string, hint: string) => DevenvError): ProcessSpec[] {
  const order: ProcessSpec[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw fail(`processes.${name}.after`, specs.get(name)!.after, `is a cycle: ${cycle.join(" -> ")}`, "take one of those names out of its `after`");
    }
    state.set(name, "visiting");
    for (const before of specs.get(name)!.after) if (specs.has(before)) visit(before, [...path, name]);
    state.set(name, "done");
    order.push(specs.get(name)!);
  };
  for (const name of specs.keys()) visit(name, []);
  return order;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
