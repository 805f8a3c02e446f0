/**
 * A string- and comment-aware view of generated code, from acorn's tokenizer (a maintained one: it
 * tells regex literals from divisions by parse context). `mask` blanks out the inside of string,
 * regex and template literals and comments, keeping every offset, so checks and rewrites of ajv's
 * validators look only at code.
 */
import { tokenizer, tokTypes, type Token } from "acorn";

/** acorn's token; its declarations leave out the value (a name's text, a string's decoded value). */
type ScannedToken = Token & { value: string };

export interface Scanned {
  tokens: ScannedToken[];
  comments: [start: number, end: number][];
}

/** Tokens and comments of `code` (pass them to `mask` and `findCalls` to read the code once); anything acorn cannot read (an unterminated string) throws. */
export function scan(code: string): Scanned {
  const comments: [number, number][] = [];
  const tokens: ScannedToken[] = [];
  // Read as a module; TypeScript's declarations (`interface`, `?:`) are plain names and punctuation to it.
  for (const token of tokenizer(code, {
    ecmaVersion: "latest",
    sourceType: "module",
    onComment: (_block, _text, start, end) => comments.push([start, end]),
  }))
    tokens.push(token as ScannedToken);
  return { tokens, comments };
}

/** The code with the inside of every string, regex and template literal and comment replaced by spaces (newlines kept). */
export function mask(code: string, { tokens, comments }: Scanned = scan(code)): string {
  const ranges: [number, number][] = [...comments];
  for (const t of tokens) {
    if (t.type === tokTypes.string) ranges.push([t.start + 1, t.end - 1]);
    else if (t.type === tokTypes.regexp) ranges.push([t.start + 1, code.lastIndexOf("/", t.end - 1)]);
    else if (t.type === tokTypes.template) ranges.push([t.start, t.end]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const pieces: string[] = [];
  let done = 0;
  for (const [start, end] of ranges) {
    pieces.push(code.slice(done, start), code.slice(start, end).replace(/[^\n]/g, " "));
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

/**
 * Every mention of the given identifiers (or keywords: `import`) as code (never inside strings or comments, never as `x.name`):
 * a call `name(…)`, with its argument when that is one string literal, or a bare mention (end = its end).
 */
export function findCalls(code: string, names: ReadonlySet<string>, { tokens }: Scanned = scan(code)): CallSite[] {
  const calls: CallSite[] = [];
  tokens.forEach((t, i) => {
    const word = t.type === tokTypes.name || t.type.keyword !== undefined;
    if (
      !word ||
      !names.has(t.value) ||
      tokens[i - 1]?.type === tokTypes.dot ||
      tokens[i - 1]?.type === tokTypes.questionDot
    )
      return;
    const open = tokens[i + 1];
    if (open?.type !== tokTypes.parenL) {
      calls.push({ name: t.value, start: t.start, end: t.end });
      return;
    }
    const [arg, close] = [tokens[i + 2], tokens[i + 3]];
    if (arg?.type === tokTypes.string && close?.type === tokTypes.parenR)
      calls.push({ name: t.value, start: t.start, end: close.end, argument: arg.value });
    else calls.push({ name: t.value, start: t.start, end: open.end });
  });
  return calls;
}
