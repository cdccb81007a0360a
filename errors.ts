/** Exit codes of SPEC §6. `run` and `shell` pass their command's own code through instead. */
export const ExitCode = {
  failure: 1,
  usage: 2,
} as const;

export type ErrorCode =
  | "config-not-found"
  | "config-invalid"
  | "usage"
  | "resolve-failed"
  | "lock-invalid"
  | "lock-stale"
  | "platform-missing"
  | "network"
  | "offline"
  | "checksum-mismatch"
  | "archive-unsafe"
  | "filesystem"
  | "command-not-found";

const usageCodes: ReadonlySet<ErrorCode> = new Set(["config-not-found", "config-invalid", "usage"]);

/**
 * The one error type a user ever sees: a one-line message naming the thing
 * (tool, version, URL, file), a hint saying what to do next, and an exit code.
 * Anything else reaching the top is a bug and is shown with its stack under `-v`.
 */
export class DevenvError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DevenvError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (usageCodes.has(code) ? ExitCode.usage : ExitCode.failure);
  }
}

export function isErrno(error: unknown, ...codes: string[]): error is NodeJS.ErrnoException {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}
