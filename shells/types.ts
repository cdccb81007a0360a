/** What devenv adds (SPEC §5): directories to put before PATH, and variables (PATH excluded). */
export interface DevenvEnvironment {
  /** Toolchain bins in `tools` order, then the config's `path`, made absolute. */
  readonly dirs: string[];
  readonly vars: Record<string, string>;
}

export interface StartOptions {
  /** A private directory for the rc files this start needs; removed when the shell exits. */
  readonly dir: string;
  /** The variables to apply after the user's own rc files, PATH complete. */
  readonly vars: Record<string, string>;
  /** Prefix the prompt with "(devenv) ". */
  readonly prompt: boolean;
  /** The environment the shell starts from (for ZDOTDIR, ENV). */
  readonly outer: NodeJS.ProcessEnv;
}

/** How one shell reads an environment, and how it is started interactively. */
export interface Shell {
  /** `vars` (PATH complete) as code this shell evaluates. */
  exports(vars: Record<string, string>): string;
  /**
   * Arguments and extra variables that start it interactively: the user's rc
   * files run as usual, then `vars` are applied again, so an rc file that
   * prepends its own node (nvm, Homebrew) cannot shadow the locked one.
   */
  start(options: StartOptions): { args: string[]; env: Record<string, string> };
}

export const promptPrefix = "(devenv) ";
