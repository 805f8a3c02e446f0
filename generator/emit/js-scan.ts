/**
 * A string- and comment-aware view of generated JavaScript/TypeScript: `mask` blanks out string
 * literals and comments (keeping every offset), so checks and rewrites look only at code. Enough for
 * the code this generator emits (ajv's validators, json-schema-to-typescript's types): template
 * literals and regex literals are not expected there and are reported, not guessed.
 */

/** The code with the inside of every string literal and comment replaced by spaces (newlines kept). */
export function mask(code: string): string {
  const out = code.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'") {
      const end = skipString(code, i);
      blank(i + 1, end - 1);
      i = end;
    } else if (c === "`") {
      throw new Error(`template literal at offset ${i}: not expected in generated code`);
    } else if (c === "/" && code[i + 1] === "/") {
      const nl = code.indexOf("\n", i);
      const end = nl < 0 ? code.length : nl;
      blank(i, end);
      i = end;
    } else if (c === "/" && code[i + 1] === "*") {
      const close = code.indexOf("*/", i + 2);
      if (close < 0) throw new Error(`unterminated comment at offset ${i}`);
      blank(i, close + 2);
      i = close + 2;
    } else i++;
  }
  return out.join("");
}

function skipString(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === "\\") i++;
    else if (code[i] === quote) return i + 1;
    else if (code[i] === "\n") break;
  }
  throw new Error(`unterminated string at offset ${start}`);
}

export interface CallSite {
  name: string;
  start: number;
  /** End of the call: after the closing parenthesis (or after `(` when the argument is not one string). */
  end: number;
  /** The string literal argument, when the call has exactly one. */
  argument?: string;
}

/** Calls of the given identifiers in code (never inside strings or comments, never as `x.name(`). */
export function findCalls(code: string, names: ReadonlySet<string>): CallSite[] {
  const masked = mask(code);
  const calls: CallSite[] = [];
  for (const m of masked.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(/g)) {
    if (!names.has(m[1])) continue;
    const open = m.index + m[0].length;
    let argument: string | undefined;
    let end = open;
    const literal = /^"(?:[^"\\\n]|\\.)*"\)/.exec(code.slice(open));
    if (literal) {
      argument = JSON.parse(literal[0].slice(0, -1));
      end = open + literal[0].length;
    }
    calls.push({ name: m[1], start: m.index, end, argument });
  }
  return calls;
}
