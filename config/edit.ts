import type * as TS from "typescript";
import { DevenvError } from "../errors.js";

type Typescript = typeof import("typescript");

/** One change to `tools` in devenv.ts: set a tool's spec (added at the end if new), or remove the tool. */
export type ToolEdit = { readonly tool: string; readonly spec: string } | { readonly tool: string; readonly remove: true };

/**
 * devenv.ts's text with `edits` applied to the `tools` of its default export, everything
 * else (layout, comments, quotes, other code) left byte for byte. The file is parsed with
 * TypeScript's own parser, never run; where `tools` is not written out as an object literal
 * (built by code, imported), there is nothing devenv can edit faithfully, and it says so.
 */
export async function editTools(text: string, file: string, edits: readonly ToolEdit[]): Promise<string> {
  const ts = await import("typescript");
  for (const edit of edits) text = applyEdit(ts, text, file, edit);
  return text;
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdit(ts: Typescript, text: string, file: string, edit: ToolEdit): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const config = configObject(ts, source, file);
  const quote = quoteOf(ts, source);
  const literal = (value: string) => (quote === '"' ? JSON.stringify(value) : `'${value.replace(/[\\']/g, "\\$&")}'`);
  // `golangci-lint` and `github:OWNER/REPO` are no identifiers: their keys are quoted.
  const key = /^[A-Za-z_$][\w$]*$/.test(edit.tool) ? edit.tool : literal(edit.tool);
  const tools = property(ts, config, "tools");
  // `{ tools }`, `{ ...base }`: tools comes from elsewhere, or may.
  if (tools === undefined && config.properties.some((p) => !ts.isPropertyAssignment(p))) throw notLiteral(file, "tools");
  let splice: Splice;
  if (tools === undefined) {
    if ("remove" in edit) throw notInConfig(file, edit.tool);
    splice = insertProperty(ts, source, config, `tools: { ${key}: ${literal(edit.spec)} }`);
  } else {
    if (!ts.isObjectLiteralExpression(tools.initializer)) throw notLiteral(file, "tools");
    const entry = property(ts, tools.initializer, edit.tool);
    if ("remove" in edit) {
      if (entry === undefined) throw notInConfig(file, edit.tool);
      splice = removeProperty(ts, source, tools.initializer, entry);
    } else if (entry === undefined) {
      splice = insertProperty(ts, source, tools.initializer, `${key}: ${literal(edit.spec)}`);
    } else {
      splice = replaceSpec(ts, source, file, entry, literal(edit.spec));
    }
  }
  return text.slice(0, splice.start) + splice.text + text.slice(splice.end);
}

/** The object literal the default export stands for: itself, defineConfig's argument, or what a function returns. */
function configObject(ts: Typescript, source: TS.SourceFile, file: string): TS.ObjectLiteralExpression {
  const assignment = source.statements.find((s): s is TS.ExportAssignment => ts.isExportAssignment(s) && !s.isExportEquals);
  // `export default function () { return { ... }; }` is a declaration, not an assignment.
  const declared = source.statements.find((s): s is TS.FunctionDeclaration => ts.isFunctionDeclaration(s) && (ts.getCombinedModifierFlags(s) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault);
  let node: TS.Node | undefined = assignment?.expression ?? (declared?.body && returned(ts, declared.body));
  // Follow `export default config` to `const config = { ... }`.
  if (node !== undefined && ts.isIdentifier(node)) node = declaredValue(ts, source, node.text);
  for (let depth = 0; node !== undefined && depth < 8; depth++) {
    if (ts.isObjectLiteralExpression(node)) return node;
    if (ts.isParenthesizedExpression(node) || ts.isSatisfiesExpression(node) || ts.isAsExpression(node)) node = node.expression;
    else if (ts.isCallExpression(node) && node.arguments.length === 1) node = node.arguments[0];
    else if (ts.isIdentifier(node)) node = declaredValue(ts, source, node.text);
    else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) node = returned(ts, node.body);
    else break;
  }
  throw notLiteral(file, "the default export");
}

function declaredValue(ts: Typescript, source: TS.SourceFile, name: string): TS.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

/** The expression a function body returns, when it has exactly one `return`. */
function returned(ts: Typescript, body: TS.ConciseBody): TS.Node | undefined {
  if (!ts.isBlock(body)) return body;
  const returns = body.statements.filter(ts.isReturnStatement);
  return returns.length === 1 ? returns[0]!.expression : undefined;
}

function property(ts: Typescript, object: TS.ObjectLiteralExpression, name: string): TS.PropertyAssignment | undefined {
  return object.properties.find((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
}

/** The file's own quote character: the first string literal's. */
function quoteOf(ts: Typescript, source: TS.SourceFile): string {
  let quote = '"';
  const visit = (node: TS.Node): boolean => {
    if (ts.isStringLiteral(node)) {
      quote = node.getText(source)[0] === "'" ? "'" : '"';
      return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  visit(source);
  return quote;
}

/** A new last property, laid out as the others are: on a line of its own with their indent, or inline. */
function insertProperty(ts: Typescript, source: TS.SourceFile, object: TS.ObjectLiteralExpression, text: string): Splice {
  const all = source.text;
  const last = object.properties.at(-1);
  const open = object.getStart(source);
  if (last === undefined) {
    const close = object.getEnd();
    return { start: open, end: close, text: `{ ${text} }` };
  }
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const trailingComma = object.properties.hasTrailingComma;
  const afterLast = trailingComma ? all.indexOf(",", last.getEnd()) + 1 : last.getEnd();
  if (line(open) === line(last.getStart(source))) {
    // `{ node: "20" }` → `{ node: "20", go: "1.22" }`
    return { start: afterLast, end: afterLast, text: `${trailingComma ? "" : ","} ${text}${trailingComma ? "," : ""}` };
  }
  const lineStart = all.lastIndexOf("\n", last.getStart(source) - 1) + 1;
  const indent = /^[ \t]*/.exec(all.slice(lineStart))![0];
  // After the last property's line, comment included; a missing comma goes right after the property.
  const lineEnd = all.indexOf("\n", afterLast);
  const at = lineEnd === -1 ? all.length : lineEnd;
  const comma = trailingComma ? "" : ",";
  if (comma === "") return { start: at, end: at, text: `\n${indent}${text},` };
  return { start: last.getEnd(), end: at, text: `,${all.slice(last.getEnd(), at)}\n${indent}${text}` };
}

/** The property with its comma; on a line of its own, the whole line (its comment too). */
function removeProperty(ts: Typescript, source: TS.SourceFile, object: TS.ObjectLiteralExpression, entry: TS.PropertyAssignment): Splice {
  const all = source.text;
  let start = entry.getStart(source);
  let end = entry.getEnd();
  const commaAfter = /^[ \t]*,/.exec(all.slice(end));
  if (commaAfter) end += commaAfter[0].length;
  const lineStart = all.lastIndexOf("\n", start - 1) + 1;
  const restOfLine = /^[ \t]*(\/\/[^\n]*)?(\n|$)/.exec(all.slice(end));
  if (/^[ \t]*$/.test(all.slice(lineStart, start)) && restOfLine) return { start: lineStart, end: end + restOfLine[0].length, text: "" };
  const index = object.properties.indexOf(entry);
  if (commaAfter) end += /^[ \t]*/.exec(all.slice(end))![0].length;
  else if (index > 0) start = object.properties[index - 1]!.getEnd();
  return { start, end, text: "" };
}

/** `node: "20"` or `node: { version: "20", ... }`: the spec's string, replaced. */
function replaceSpec(ts: Typescript, source: TS.SourceFile, file: string, entry: TS.PropertyAssignment, literal: string): Splice {
  let value: TS.Expression = entry.initializer;
  if (ts.isObjectLiteralExpression(value)) {
    const version = property(ts, value, "version");
    if (version === undefined) throw notLiteral(file, `tools.${entry.name.getText(source)}.version`);
    value = version.initializer;
  }
  if (!ts.isStringLiteralLike(value)) throw notLiteral(file, `tools.${entry.name.getText(source)}`);
  return { start: value.getStart(source), end: value.getEnd(), text: literal };
}

function notLiteral(file: string, what: string): DevenvError {
  return new DevenvError("config-invalid", `cannot edit ${file}: ${what} is not written out as a literal there`, {
    hint: "edit devenv.ts by hand (devenv edits only `tools: { ... }` written as an object literal)",
  });
}

function notInConfig(file: string, tool: string): DevenvError {
  return new DevenvError("usage", `${tool} is not a tool of ${file}`, { hint: "see `devenv list`" });
}
