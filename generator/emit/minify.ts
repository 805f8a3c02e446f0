/**
 * A minifier for the one dialect it is given: ajv's standalone code after compaction
 * (validator-compact.ts). It tokenizes the code, drops declarations nothing reads (ajv's bookkeeping:
 * its own optimizer is off, see validator.ts), gives ajv's local names and the runtime imports short
 * names, drops parentheses that do not change how the expression parses, and writes the tokens back
 * with only the spaces JavaScript needs. Constructs that dialect never has (template literals,
 * methods in object literals, labels) are errors, never guesses.
 *
 * Why not esbuild: it costs ~2.7 ms of CPU per validator here (1,000 models: ~2.7 s), and batching
 * several validators into one call would make each one's output depend on its neighbours.
 */

import { expectsOperandAfter, regexLiteralEnd } from "./js-scan.js";

/** A token: a word (identifier, keyword or number), a string or regex literal, or a punctuator. */
interface Token {
  kind: "word" | "string" | "regex" | "punct";
  text: string;
}

const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const PUNCTUATOR = /===|!==|\*\*=?|\.\.\.|=>|==|!=|<=|>=|&&=?|\|\|=?|\?\?=?|\?\.(?!\d)|\+\+|--|>>>=?|<<=?|>>=?|[-+*/%&|^]=|[{}()[\];,<>+\-*/%&|^!~?:=.]/y;

const isIdentifierStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isIdentifierPart = (c: number) => isIdentifierStart(c) || (c >= 48 && c <= 57);

export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  const fail = (at: number, what = `unexpected ${JSON.stringify(code.slice(at, at + 12))}`) => {
    throw new Error(`cannot minify the validator: ${what} at offset ${at}`);
  };
  let i = 0;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else if (isIdentifierStart(c)) {
      let j = i + 1;
      while (j < code.length && isIdentifierPart(code.charCodeAt(j))) j++;
      tokens.push({ kind: "word", text: code.slice(i, j) });
      i = j;
    } else if (c >= 48 && c <= 57) {
      NUMBER.lastIndex = i;
      NUMBER.exec(code);
      tokens.push({ kind: "word", text: code.slice(i, NUMBER.lastIndex) });
      i = NUMBER.lastIndex;
    } else if (c === 34 || c === 39) {
      let j = i + 1;
      for (;;) {
        const d = code.charCodeAt(j);
        if (j >= code.length || d === 10) fail(i, "unterminated string");
        if (d === 92) j += 2;
        else if (d === c) break;
        else j++;
      }
      tokens.push({ kind: "string", text: code.slice(i, j + 1) });
      i = j + 1;
    } else if (c === 47 && code.charCodeAt(i + 1) === 47) {
      const nl = code.indexOf("\n", i);
      i = nl < 0 ? code.length : nl;
    } else if (c === 47 && code.charCodeAt(i + 1) === 42) {
      const close = code.indexOf("*/", i + 2);
      if (close < 0) fail(i, "unterminated comment");
      i = close + 2;
    } else if (c === 47 && expectsOperand(tokens[tokens.length - 1])) {
      // ajv escapes JSON pointer tokens with `.replace(/~/g, "~0")`: a regex literal, kept as written.
      const end = regexLiteralEnd(code, i);
      tokens.push({ kind: "regex", text: code.slice(i, end) });
      i = end;
    } else {
      PUNCTUATOR.lastIndex = i;
      const m = PUNCTUATOR.exec(code);
      if (!m) fail(i);
      tokens.push({ kind: "punct", text: m![0] });
      i = PUNCTUATOR.lastIndex;
    }
  }
  return tokens;
}

function expectsOperand(prev: Token | undefined): boolean {
  // A regex literal is an operand whatever its last character.
  return !prev || (prev.kind !== "regex" && expectsOperandAfter(prev.text));
}

const RESERVED = new Set(
  "do if in of for let new try var case else enum eval null this true void with await break catch class const false super throw while yield delete export import public return static switch typeof default extends finally package private continue debugger function arguments interface protected implements instanceof undefined NaN Infinity require Function".split(" "),
);

/** Names ajv gives its locals, and the runtime bindings the validator imports (`__name`). */
const RENAMABLE = /^(?:vErrors|errors|instancePath|parentData|parentDataProperty|rootData|data|__[A-Za-z]\w*|[A-Za-z_]+\d+)$/;

/** Short names in a fixed order: a–z, A–Z, _, then two and three characters. */
function* shortNames(): Generator<string> {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
  const rest = first + "0123456789";
  for (const a of first) yield a;
  for (const a of first) for (const b of rest) yield a + b;
  for (const a of first) for (const b of rest) for (const c of rest) yield a + b + c;
  throw new Error("cannot minify the validator: too many names");
}

/** Where a word stands: a property after `.`, a key in an object literal, shorthand `{a}`, or a reference. */
type Role = "property" | "key" | "shorthand" | "reference";

/** Tokens that, before `{`, make it a block (anything else makes it an object literal or pattern). */
const BLOCK_OPENERS = new Set([")", "else", "try", "finally", "do", ";", "{", "}", "=>"]);

function roles(tokens: Token[]): Role[] {
  const out: Role[] = new Array(tokens.length);
  const braces: ("block" | "object" | "paren")[] = [];
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (t.kind === "punct") {
      if (t.text === "{") braces.push(!prev || BLOCK_OPENERS.has(prev.text) ? "block" : "object");
      else if (t.text === "(" || t.text === "[") braces.push("paren");
      else if (t.text === "}" || t.text === ")" || t.text === "]") braces.pop();
      return;
    }
    if (t.kind !== "word") return;
    if (prev?.text === "." || prev?.text === "?.") out[i] = "property";
    else if (braces[braces.length - 1] === "object" && (prev?.text === "{" || prev?.text === ",")) {
      if (next?.text === ":") out[i] = "key";
      else if (next?.text === "," || next?.text === "}" || next?.text === "=") out[i] = "shorthand";
      else throw new Error(`cannot minify the validator: unexpected ${t.text} ${next?.text ?? ""} in an object literal`);
    } else if (next?.text === ":" && (!prev || prev.text === "{" || prev.text === ";" || prev.text === "}")) {
      throw new Error(`cannot minify the validator: label ${t.text}`);
    } else out[i] = "reference";
  });
  return out;
}

export interface Minified {
  code: string;
  /** Each renamed name and its new name. */
  names: Map<string, string>;
}

/** Minifies `code`; `keep` lists names that must not be given to anything (the module's own names). */
export function minify(code: string, keep: Iterable<string> = []): Minified {
  const tokens = removeDeadDeclarations(removeParentheses(tokenize(code)));
  const role = roles(tokens);
  const taken = new Set<string>(keep);
  const uses = new Map<string, number>();
  const renamable = new Map<string, boolean>();
  tokens.forEach((t, i) => {
    if (t.kind !== "word" || (role[i] !== "reference" && role[i] !== "shorthand")) return;
    let yes = renamable.get(t.text);
    if (yes === undefined) renamable.set(t.text, (yes = RENAMABLE.test(t.text)));
    if (yes) uses.set(t.text, (uses.get(t.text) ?? 0) + 1);
    else taken.add(t.text);
  });
  // The most used names get the shortest replacements; ties in name order, so the result is deterministic.
  const order = [...uses].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
  const names = new Map<string, string>();
  const fresh = shortNames();
  for (const name of order) {
    // Every renamable name is renamed at once, so only names that stay (globals, keywords) are in the way.
    let short: string;
    do short = fresh.next().value as string;
    while (RESERVED.has(short) || taken.has(short));
    names.set(name, short);
  }
  const out: Token[] = [];
  tokens.forEach((t, i) => {
    const renamed = t.kind === "word" ? names.get(t.text) : undefined;
    if (t.kind === "word" && t.text === "undefined" && role[i] === "reference") out.push({ kind: "word", text: "void" }, { kind: "word", text: "0" });
    else if (renamed && role[i] === "reference") out.push({ kind: "word", text: renamed });
    else if (renamed && role[i] === "shorthand") out.push(t, { kind: "punct", text: ":" }, { kind: "word", text: renamed });
    else out.push(t);
  });
  return { code: print(out), names };
}

/** Writes tokens back with a space only where two tokens would otherwise run together. */
export function print(tokens: Token[]): string {
  let out = "";
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev && needsSpace(prev, t)) out += " ";
    out += t.text;
    prev = t;
  }
  return out;
}

const IDENTIFIER_CHAR = /[\w$]/;

function needsSpace(a: Token, b: Token): boolean {
  // Words, numbers and a regex literal's flags run together with a following word.
  if (IDENTIFIER_CHAR.test(a.text[a.text.length - 1]) && IDENTIFIER_CHAR.test(b.text[0])) return true;
  // `1 .x`: a number followed by a dot would read as a decimal point.
  if (a.kind === "word" && /^\d/.test(a.text) && b.text === ".") return true;
  if (a.kind === "punct" && b.kind === "punct") {
    const x = a.text[a.text.length - 1];
    const y = b.text[0];
    return (x === "+" && y === "+") || (x === "-" && y === "-") || (x === "/" && (y === "/" || y === "*")) || (x === "<" && y === "!");
  }
  return false;
}

/**
 * Binding strength of binary operators (higher binds tighter); a parenthesized operand can lose its
 * parentheses when what is inside binds tighter than the operators on both sides of it.
 */
const BINARY = new Map<string, number>([
  ["??", 3], ["||", 4], ["&&", 5], ["|", 6], ["^", 7], ["&", 8],
  ["==", 9], ["!=", 9], ["===", 9], ["!==", 9],
  ["<", 10], [">", 10], ["<=", 10], [">=", 10], ["in", 10], ["instanceof", 10],
  ["<<", 11], [">>", 11], [">>>", 11], ["+", 12], ["-", 12], ["*", 13], ["/", 13], ["%", 13], ["**", 14],
]);
const UNARY = new Set(["!", "~", "typeof", "void", "delete"]);
const UNARY_STRENGTH = 15;
const PRIMARY = 20;
/** Operators next to which parentheses always stay: `??` cannot mix with `||`/`&&`, nor `**` with unary operands. */
const KEEP_BESIDE = new Set(["??", "**"]);

/** How an operator token at the top level of a group weakens it: a strength, -1 (cannot judge), or undefined (an operand). */
function operatorStrength(tokens: Token[], i: number): number | undefined {
  const t = tokens[i];
  if (t.kind === "string" || t.kind === "regex" || (t.kind === "word" && !BINARY.has(t.text) && !UNARY.has(t.text))) return undefined;
  if (t.text === "." || t.text === "?.") return undefined;
  const unaryPosition = expectsOperand(tokens[i - 1]);
  if ((t.text === "++" || t.text === "--") && !unaryPosition) return undefined;
  if (KEEP_BESIDE.has(t.text)) return -1;
  if (unaryPosition && (UNARY.has(t.text) || t.text === "-" || t.text === "+" || t.text === "++" || t.text === "--")) return UNARY_STRENGTH;
  if (!unaryPosition && BINARY.has(t.text)) return BINARY.get(t.text)!;
  return -1; // `,`, `=`, `?`, `=>`, …: keep the parentheses
}

/** Every parenthesized group, innermost first: [open, close, loosest operator at its top level (-1: cannot judge)]. */
function parenGroups(tokens: Token[]): [open: number, close: number, inner: number][] {
  const groups: [number, number, number][] = [];
  const stack: { open: number; paren: boolean; weakest: number }[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[" || t.text === "{")) stack.push({ open: i, paren: t.text === "(", weakest: PRIMARY });
    else if (t.kind === "punct" && (t.text === ")" || t.text === "]" || t.text === "}")) {
      const frame = stack.pop();
      if (!frame || frame.paren !== (t.text === ")")) throw new Error("cannot minify the validator: unbalanced brackets");
      if (frame.paren) groups.push([frame.open, i, frame.weakest]);
    } else {
      const top = stack[stack.length - 1];
      if (!top?.paren || top.weakest < 0) return;
      const strength = operatorStrength(tokens, i);
      if (strength !== undefined) top.weakest = strength < 0 ? -1 : Math.min(top.weakest, strength);
    }
  });
  if (stack.length) throw new Error("cannot minify the validator: unbalanced brackets");
  return groups;
}

/** Tokens after which `(` opens a call or a statement's head, not a grouping. */
function opensCallOrHead(prev: Token | undefined): boolean {
  if (!prev) return false;
  if (prev.kind === "word") return !UNARY.has(prev.text) && !BINARY.has(prev.text) && prev.text !== "return";
  return prev.kind === "string" || prev.kind === "regex" || prev.text === ")" || prev.text === "]";
}

const OPEN_CONTEXT = new Set(["(", "[", ",", "{", ";", "=", ":", "?", "return"]);
const CLOSE_CONTEXT = new Set([")", "]", ",", "}", ";", ":", "?"]);

/** Whether the parentheses at tokens[open] and tokens[close] (whose content binds as `inner`) can go without changing the parse. */
function removable(tokens: Token[], open: number, close: number, inner: number): boolean {
  if (inner < 0) return false;
  const prev = tokens[open - 1];
  const next = tokens[close + 1];
  if (opensCallOrHead(prev)) return false;
  // What follows could make the group a callee, an object or a target (`(a.b)()`, `(x).y`, `(a)=…`): keep those.
  if (next && [".", "?.", "(", "[", "++", "--", "=>", "="].includes(next.text)) return false;
  if (tokens[open + 1]?.text === "{" || tokens[open + 1]?.text === "function") return false;
  if ((prev && KEEP_BESIDE.has(prev.text)) || (next && KEEP_BESIDE.has(next.text))) return false;
  const left = !prev || OPEN_CONTEXT.has(prev.text) ? 0 : UNARY.has(prev.text) || ((prev.text === "-" || prev.text === "+") && expectsOperand(tokens[open - 2])) ? UNARY_STRENGTH : BINARY.get(prev.text);
  const right = !next || CLOSE_CONTEXT.has(next.text) ? 0 : BINARY.get(next.text);
  if (left === undefined || right === undefined) return false;
  // Binds tighter than both neighbours; or the same associative operator (`(a||b)||c`, `a&&(b&&c)`).
  const associative = (op: Token | undefined) => !!op && (op.text === "||" || op.text === "&&") && inner === BINARY.get(op.text);
  return (inner > left || (inner === left && associative(prev))) && (inner > right || (inner === right && associative(next)));
}

/**
 * Drops removable parentheses, innermost first. A group whose whole content was a group dropped in the
 * same pass is judged again in a next pass (its content is no longer one operand).
 */
function removeParentheses(input: Token[]): Token[] {
  let tokens = input;
  for (;;) {
    const drop = new Set<number>();
    const dropped = new Map<number, number>(); // open → close of each group dropped in this pass
    let deferred = false;
    for (const [open, close, inner] of parenGroups(tokens)) {
      if (dropped.get(open + 1) === close - 1) deferred = true;
      else if (removable(tokens, open, close, inner)) {
        drop.add(open).add(close);
        dropped.set(open, close);
      }
    }
    if (drop.size) tokens = tokens.filter((_, i) => !drop.has(i));
    // A group left standing for any other reason stays so: its content and the operator that kept it
    // are untouched by drops elsewhere. Only a deferred group needs another look.
    if (!deferred) return tokens;
  }
}

/** Tokens an initializer may hold for its declaration to be dropped unread: names, literals, comparisons. */
const PURE_OPERATORS = new Set(["===", "!==", "==", "!=", "!"]);
const STATEMENT_START = new Set([";", "{", "}"]);

/**
 * Drops `const|let|var name = <pure>;` where nothing reads `name` (ajv writes such bookkeeping when
 * its own optimizer is off, which makes compiling 40 % cheaper); a drop can leave the names its
 * initializer read unread in turn, so those are looked at again.
 */
function removeDeadDeclarations(tokens: Token[]): Token[] {
  const role = roles(tokens);
  const reads = new Map<string, number>();
  const declarations: { start: number; end: number; name: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "word" && (t.text === "const" || t.text === "let" || t.text === "var") && (i === 0 || STATEMENT_START.has(tokens[i - 1].text)) && tokens[i + 1]?.kind === "word" && tokens[i + 2]?.text === "=") {
      let end = i + 3;
      while (end < tokens.length && tokens[end].text !== ";" && (tokens[end].kind !== "punct" || PURE_OPERATORS.has(tokens[end].text))) end++;
      if (tokens[end]?.text === ";" && end > i + 3) {
        declarations.push({ start: i, end: end + 1, name: tokens[i + 1].text });
        i += 1; // the declared name is not a read; its initializer is scanned as usual
        continue;
      }
    }
    if (t.kind === "word" && (role[i] === "reference" || role[i] === "shorthand")) reads.set(t.text, (reads.get(t.text) ?? 0) + 1);
  }
  const byName = new Map<string, typeof declarations>();
  for (const d of declarations) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const drop = new Set<number>();
  const pending = [...byName.keys()];
  while (pending.length) {
    const name = pending.pop()!;
    if (reads.get(name) || !RENAMABLE.test(name)) continue;
    for (const d of byName.get(name) ?? []) {
      if (drop.has(d.start)) continue;
      for (let k = d.start; k < d.end; k++) drop.add(k);
      // What the dropped initializer read is read once less.
      for (let k = d.start + 3; k < d.end - 1; k++) {
        const t = tokens[k];
        if (t.kind !== "word" || role[k] !== "reference") continue;
        const left = (reads.get(t.text) ?? 0) - 1;
        reads.set(t.text, left);
        if (left <= 0 && byName.has(t.text)) pending.push(t.text);
      }
    }
  }
  return drop.size ? tokens.filter((_, i) => !drop.has(i)) : tokens;
}
