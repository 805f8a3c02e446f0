/**
 * A string- and comment-aware view of generated JavaScript/TypeScript: `mask` blanks out string
 * literals and comments (keeping every offset), so checks and rewrites look only at code. Enough for
 * the code this generator emits (ajv's validators, json-schema-to-typescript's types): regex literals
 * are told from divisions by what precedes them; template literals are not expected and are reported.
 */

/** Literals and comments, the starts of constructs not read (reported, not guessed), and `/`. */
const LITERAL_OR_COMMENT = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\/[^\n]*|\/\*[\s\S]*?\*\/|["'`]|\/\*|\//g;

/** Keywords after which an operand comes (so `/` starts a regex literal rather than a division). */
const KEYWORDS_BEFORE_OPERAND: ReadonlySet<string> = new Set(["return", "typeof", "void", "delete", "in", "of", "new", "case", "instanceof", "throw", "else", "do"]);

/**
 * Whether an operand comes after this (trimmed) code — so a `/` there starts a regex literal, and a
 * `+`/`-` is unary. The minifier asks it of each token's text, `mask` of the code before a `/`.
 */
export function expectsOperandAfter(before: string): boolean {
  const word = /[\w$]+$/.exec(before);
  if (word) return KEYWORDS_BEFORE_OPERAND.has(word[0]);
  const last = before[before.length - 1];
  return last === undefined || !")]}\"'".includes(last);
}

/** End (exclusive, after the flags) of the regex literal starting at `start`. */
export function regexLiteralEnd(code: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i];
    if (c === "\\") i++;
    else if (c === "\n") break;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      let end = i + 1;
      while (end < code.length && /[a-z]/.test(code[end])) end++;
      return end;
    }
  }
  throw new Error(`unterminated regex literal at offset ${start}`);
}

/** The code with the inside of every string literal, regex literal and comment replaced by spaces (newlines kept). */
export function mask(code: string): string {
  const pieces: string[] = [];
  let done = 0;
  LITERAL_OR_COMMENT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LITERAL_OR_COMMENT.exec(code))) {
    const token = m[0];
    const at = m.index;
    const c = token[0];
    let end = at + token.length;
    let keep: string;
    if (token === "/") {
      if (!expectsOperandAfter(code.slice(Math.max(0, at - 16), at).trimEnd())) continue; // a division
      end = regexLiteralEnd(code, at);
      const close = code.lastIndexOf("/", end - 1);
      keep = "/" + " ".repeat(close - at - 1) + code.slice(close, end);
      LITERAL_OR_COMMENT.lastIndex = end;
    } else if (token.length === 1 || token === "/*") {
      if (c === "`") throw new Error(`template literal at offset ${at}: not expected in generated code`);
      throw new Error(c === "/" ? `unterminated comment at offset ${at}` : `unterminated string at offset ${at}`);
    } else if (c === '"' || c === "'") keep = c + " ".repeat(token.length - 2) + c;
    else keep = token.replace(/[^\n]/g, " ");
    pieces.push(code.slice(done, at), keep);
    done = end;
  }
  pieces.push(code.slice(done));
  return pieces.join("");
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
export function findCalls(code: string, names: ReadonlySet<string>, masked = mask(code)): CallSite[] {
  const calls: CallSite[] = [];
  const alternatives = [...names].map((n) => n.replace(/[$]/g, "\\$")).join("|");
  for (const m of masked.matchAll(new RegExp(`(?<![\\w$.])(${alternatives})\\s*\\(`, "g"))) {
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
