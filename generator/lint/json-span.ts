/**
 * Where a JSON value ends, given where it (or its member's key) starts: lint findings carry a start
 * position; ESLint's format also wants an end. A forward scan that skips strings and counts brackets
 * (the text already parsed, or the finding is a syntax error and gets a one-character span).
 */
export interface LineColumn {
  line: number; // 1-based
  column: number; // 1-based, UTF-16 code units
}

function offsetOf(text: string, at: LineColumn): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + at.column - 1);
}

function positionOf(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";

function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') i = skipString(text, i) - 1;
      else if (ch === "{" || ch === "[") depth++;
      else if ((ch === "}" || ch === "]") && --depth === 0) return i + 1;
    }
    return text.length;
  }
  while (i < text.length && !isSpace(text[i]) && text[i] !== "," && text[i] !== "}" && text[i] !== "]") i++;
  return i;
}

/**
 * The end (exclusive column, as ESLint reports it) of the value starting at `start`; for a member
 * (`"key": value`) the end of its value. Outside the text or at a syntax error: one character.
 */
export function valueEnd(text: string, start: LineColumn): LineColumn {
  const from = offsetOf(text, start);
  if (from >= text.length) return { line: start.line, column: start.column + 1 };
  let end = skipValue(text, from);
  if (text[from] === '"') {
    let j = end;
    while (j < text.length && isSpace(text[j])) j++;
    if (text[j] === ":") {
      j++;
      while (j < text.length && isSpace(text[j])) j++;
      end = skipValue(text, j);
    }
  }
  return end > from ? positionOf(text, end) : { line: start.line, column: start.column + 1 };
}
