/** POSIX single quoting: every byte literal, newlines included; a quote is closed, escaped and reopened. */
export function quotePosix(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME='value'` lines: read the same way by bash, zsh and sh. */
export function posixExports(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}=${quotePosix(value)}\n`)
    .join("");
}
