/** POSIX single quoting: every byte literal, including newlines; a quote is closed, escaped and reopened. */
export function quotePosix(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `eval "$(devenv env --shell bash)"`: one export per variable. */
export function bashExports(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}=${quotePosix(value)}\n`)
    .join("");
}
