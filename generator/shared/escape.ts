import type * as BabelTypes from "@babel/types";

/**
 * The one escaping helper: every string that comes from a schema file and reaches generated code,
 * comments or Markdown goes through one of these functions. Schema files are untrusted input.
 */

/** Line terminators that JSON allows inside strings but that break out of `//` comments and older JS parsers. */
const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * A JavaScript expression for any JSON value: a string, number, array or object literal.
 * `<` is escaped so `</script>` never appears; U+2028/U+2029 are escaped so no line breaks inside literals;
 * backticks are escaped so a literal can sit inside a Markdown code fence or template without closing it.
 * Non-finite numbers are rejected: they cannot come from JSON and have no literal.
 */
export function jsLiteral(value: unknown): string {
  assertJsonValue(value, "");
  const json = JSON.stringify(value, null, 2);
  return (
    json
      // `"__proto__": …` in an object literal sets the prototype; a computed key makes it an own property,
      // as it is in the JSON. Indented JSON puts every key at a line start, and no string holds a raw newline.
      .replace(/^(\s*)"__proto__":/gm, '$1["__proto__"]:')
      .replace(LINE_SEPARATORS, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"))
      .replace(/</g, "\\u003c")
      .replace(/`/g, "\\u0060")
  );
}

/** A JavaScript/TypeScript string literal (double-quoted). */
export function jsString(value: string): string {
  return jsLiteral(String(value));
}

function assertJsonValue(value: unknown, path: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`non-finite number at ${path || "/"} cannot be emitted`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJsonValue(v, `${path}/${i}`));
    return;
  }
  if (typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) assertJsonValue(v, `${path}/${k}`);
    return;
  }
  throw new Error(`value of type ${typeof value} at ${path || "/"} is not JSON`);
}

/**
 * Text safe inside a `/** … *\/` block comment: no comment terminator, no control characters,
 * every line separator turned into a plain newline so each line gets its own ` * ` prefix.
 */
export function docText(text: string): string {
  return (
    String(text)
      .replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n")
      // Control characters (other than newline and tab) have no business in docs and can confuse editors.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .replace(/\*\//g, "*\\/")
      // A description must not forge JSDoc tags: TypeScript starts a tag at an `@` after whitespace, a
      // line start or `{`. There `@` becomes `&#64;` (hovers render it as @, so it copies cleanly);
      // elsewhere (`user@example.com`) it is left as is. No invisible characters.
      .replace(/(^|[\s{])@/g, "$1&#64;")
      .trim()
  );
}

/** Text safe inside one Markdown table cell: one line, pipes and HTML neutralized, backticks kept literal. */
export function markdownCell(text: string): string {
  return String(text)
    .replace(/\r\n?|[\n\u2028\u2029\u0085]/g, " ")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/`/g, "\\`")
    .replace(/\*/g, "\\*")
    .replace(/_/g, "\\_")
    .replace(/\[/g, "\\[")
    .replace(/\]/g, "\\]")
    .trim();
}

/** Inline code in Markdown for a value that may itself contain backticks. */
export function markdownCode(text: string): string {
  const clean = String(text)
    .replace(/\r\n?|[\n\u2028\u2029\u0085]/g, " ")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Text safe on one `//` comment line: no line terminators. */
export function commentLine(text: string): string {
  return String(text)
    .replace(/[\r\n\u2028\u2029\u0085]+/g, " ")
    .replace(/[\u0000-\u001f\u007f]/g, "");
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name in TypeScript: bare when it is an identifier, otherwise an escaped string literal. */
export function propertyName(key: string): string {
  return IDENTIFIER.test(key) ? key : jsString(key);
}

/*
 * Schema strings in syntax trees (the generated types, built with Babel's TypeScript node builders):
 * a name or literal becomes a node whose text the printer escapes (quotes, backslashes, control
 * characters, line separators), never text spliced into code. `t` is `@babel/types`, passed in so this
 * module loads no builder.
 */

/** A property name node: an identifier when the name is one, otherwise a string literal. */
export function tsPropertyName(t: typeof BabelTypes, key: string): BabelTypes.Identifier | BabelTypes.StringLiteral {
  return IDENTIFIER.test(key) ? t.identifier(key) : t.stringLiteral(String(key));
}

/** The literal type of a JSON scalar; non-finite numbers are rejected (they cannot come from JSON). */
export function tsLiteralNode(t: typeof BabelTypes, value: string | number | boolean | null): BabelTypes.TSType {
  assertJsonValue(value, "");
  if (value === null) return t.tsNullKeyword();
  if (typeof value === "boolean") return t.tsLiteralType(t.booleanLiteral(value));
  if (typeof value === "number") {
    const literal = t.numericLiteral(Math.abs(value));
    return t.tsLiteralType(value < 0 || Object.is(value, -0) ? t.unaryExpression("-", literal) : literal);
  }
  return t.tsLiteralType(t.stringLiteral(String(value)));
}

/**
 * Control characters a terminal acts on: C0 but tab and newline (ESC starts screen clears and OSC 52
 * clipboard writes, CR rewrites the line), DEL, and C1 (U+009B is a one-character CSI).
 */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text safe to print on a terminal: each control character becomes the visible `\u001b` form. Inside
 * JSON that form is the same character's escape, so `--json` output stays valid and means the same.
 */
export function terminalText(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
