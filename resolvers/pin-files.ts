/** A file another version manager reads, and how to find a pin in it (undefined: none there). */
export interface PinSource {
  readonly file: string;
  read(text: string): string | undefined;
}

/** The first line that is not blank or a comment. */
export function firstLine(text: string): string | undefined {
  return text.split("\n").map((line) => line.replace(/#.*/, "").trim()).find((line) => line !== "");
}

/** A file whose first line is the version (`.python-version`, `.bun-version`). */
export const versionFile = (file: string, spell: (version: string) => string = (v) => v): PinSource => ({
  file,
  read: (text) => {
    const line = firstLine(text);
    return line === undefined ? undefined : spell(line);
  },
});

/** asdf's and mise's `.tool-versions`: `nodejs 20.1.0`, `python 3.12.1 3.11.0` (the first wins). */
export const toolVersions = (names: readonly string[], spell: (version: string) => string = (v) => v): PinSource => ({
  file: ".tool-versions",
  read: (text) => {
    for (const line of text.split("\n")) {
      const [name, version] = line.replace(/#.*/, "").trim().split(/\s+/);
      if (names.includes(name ?? "") && version) return spell(version);
    }
    return undefined;
  },
});

/** A field of package.json. */
export const packageJson = (field: (manifest: { engines?: { node?: string }; packageManager?: string }) => string | undefined): PinSource => ({
  file: "package.json",
  read: (text) => field(JSON.parse(text) as { engines?: { node?: string }; packageManager?: string })?.trim(),
});

/**
 * mise's `[tools]` table (`mise.toml`, `.mise.toml`): `jq = "1.7"`, `"github:sharkdp/fd" = "8"`,
 * `node = ["20", "18"]` (the first wins), `python = { version = "3.12" }`. Only that table is read,
 * line by line: what mise writes there, not TOML at large.
 */
export function miseTools(text: string): Array<{ name: string; spec: string }> {
  const tools: Array<{ name: string; spec: string }> = [];
  let inTools = false;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line.startsWith("[")) {
      inTools = line === "[tools]";
      continue;
    }
    const match = inTools ? /^(?:"([^"]+)"|'([^']+)'|([\w.:/-]+))\s*=\s*\[?\s*(?:\{[^}]*version\s*=\s*)?["']([^"']*)["']/.exec(line) : null;
    const name = match?.[1] ?? match?.[2] ?? match?.[3];
    if (name !== undefined) tools.push({ name, spec: match![4]! });
  }
  return tools;
}

/** A tool's pin in mise's `file`, by any of its `names`. */
export const miseToml = (file: string, names: readonly string[]): PinSource => ({
  file,
  read: (text) => miseTools(text).find((tool) => names.includes(tool.name))?.spec,
});
