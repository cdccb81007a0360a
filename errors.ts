/** Exit codes of SPEC §6. `run` and `shell` pass their command's own code through instead. */
export const ExitCode = {
  failure: 1,
  usage: 2,
} as const;

export type ErrorCode =
  | "config-not-found"
  | "config-invalid"
  | "untrusted"
  | "usage"
  | "resolve-failed"
  | "lock-invalid"
  | "lock-stale"
  | "platform-missing"
  | "network"
  | "offline"
  | "checksum-mismatch"
  | "archive-unsafe"
  | "archive-invalid"
  | "filesystem"
  | "store-modified"
  | "command-not-found"
  | "interrupted"
  | "cache-miss"
  | "process-failed";

const usageCodes: ReadonlySet<ErrorCode> = new Set(["config-not-found", "config-invalid", "untrusted", "usage"]);

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

/** What to do about an operating-system error on a path devenv had to read or write. */
const filesystemHints: Record<string, string> = {
  ENOSPC: "free some disk space; `devenv gc` removes toolchains no project uses",
  EDQUOT: "free some disk space; `devenv gc` removes toolchains no project uses",
  EACCES: "check the permissions there, or point DEVENV_HOME elsewhere",
  EPERM: "check the permissions there, or point DEVENV_HOME elsewhere",
  EROFS: "the filesystem is read-only; point DEVENV_HOME at a writable one",
  ENOTDIR: "a file is where devenv needs a directory; move it away",
  EISDIR: "a directory is where devenv needs a file; move it away",
  EEXIST: "something is in the way there; move it away",
  EMFILE: "too many open files; raise the limit (ulimit -n)",
  ENAMETOOLONG: "the path is longer than this filesystem allows; use a shorter DEVENV_HOME or project path",
  ELOOP: "symbolic links there point at each other; remove the loop",
};

/**
 * Disk trouble (full, read-only, permissions, a file in the way) is the
 * environment's, not a bug: a one-line error naming the path. Other errors stay bugs.
 */
export function filesystemError(error: unknown): DevenvError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  const hint = filesystemHints[code ?? ""];
  if (hint === undefined) return undefined;
  // A write to an open file (ENOSPC, EDQUOT) names no path: the operation and the cause must do.
  if (path === undefined) return new DevenvError("filesystem", `cannot ${syscall ?? "write"}: ${code}`, { hint, cause: error });
  return new DevenvError("filesystem", `cannot ${syscall ?? "use"} ${path}: ${code}`, { hint, cause: error });
}

/** Response headers as undici gives them. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

/** An HTTP answer devenv cannot use; `status` lets callers say what it means for them. */
export class HttpStatusError extends DevenvError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: HttpHeaders,
    attempts = 1,
    method = "GET",
  ) {
    super("network", `${method} ${url} answered ${status}${attempts > 1 ? ` after ${attempts} attempts` : ""}`, {
      hint: status === 404 ? "check the version and the mirror (DEVENV_*_MIRROR)" : "try again later, or use a mirror (DEVENV_*_MIRROR)",
    });
  }
}
