import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../files/atomic.js";

/** What one process of a detached `devenv up` is doing, as `devenv ps` shows it. */
export interface ProcessState {
  readonly state: "starting" | "ready" | "exited" | "failed" | "stopped";
  readonly pid?: number | undefined;
  /** The kernel's start time of `pid` (Linux): a pid reused by another process is never signalled as ours. */
  readonly since?: string | undefined;
  readonly code?: number | null | undefined;
  readonly startedAt?: string | undefined;
  readonly ports?: readonly number[] | undefined;
}

/** `state.json` beside the supervisor's lock (layout.ts, projectState().processes). */
export interface SupervisorState {
  readonly supervisor: number;
  readonly supervisorSince: string | undefined;
  readonly processes: Record<string, ProcessState>;
  /** Why the run ended, when it failed: the one line `up -d` and `ps` say, and the process it was of. */
  readonly failure?: string | undefined;
  readonly failed?: string | undefined;
}

export function readState(file: string): SupervisorState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as SupervisorState;
    return typeof state?.supervisor === "number" && typeof state.processes === "object" ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(file: string, state: SupervisorState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, 0o600, { flush: false });
}

/** The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat); undefined where there is no /proc. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Is `pid` still the process that was recorded (the same start time, where the system tells it), and no zombie? */
export function isAlive(pid: number | undefined, since: string | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const now = startTimeOf(pid);
  if (since !== undefined) return now === since;
  // Without a recorded start time (no /proc when it was written), a zombie still reads as gone here.
  return now !== undefined || !isLinux;
}

const isLinux = process.platform === "linux";

/** A signal to the process group `pid` leads, if it is still the recorded one. */
export function signalGroup(pid: number | undefined, since: string | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined || !isAlive(pid, since)) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // gone meanwhile
  }
}
