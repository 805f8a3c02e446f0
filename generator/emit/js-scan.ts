/**
 * A string- and comment-aware scan of generated JavaScript: finds call sites of given identifiers in
 * code (never inside string literals or comments). Enough for ajv's output, which has no regex
 * literals or template strings; anything it cannot read is an error, not a guess.
 */

export interface CallSite {
  name: string;
  start: number;
  /** End of the call: after the closing parenthesis. */
  end: number;
  /** The string literal argument, when the call has exactly one. */
  argument?: string;
}

export function findCalls(code: string, names: ReadonlySet<string>): CallSite[] {
  const calls: CallSite[] = [];
  let i = 0;
  const isIdent = (c: string | undefined) => {
    if (c === undefined) return false;
    const n = c.charCodeAt(0);
    return (n >= 48 && n <= 57) || (n >= 65 && n <= 90) || (n >= 97 && n <= 122) || n === 95 || n === 36;
  };
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'") {
      i = skipString(code, i);
      continue;
    }
    if (c === "`") throw new Error(`template literal at ${i}: not expected in generated validator code`);
    if (c === "/" && code[i + 1] === "/") {
      const nl = code.indexOf("\n", i);
      i = nl < 0 ? code.length : nl;
      continue;
    }
    if (c === "/" && code[i + 1] === "*") {
      const close = code.indexOf("*/", i + 2);
      if (close < 0) throw new Error(`unterminated comment at ${i}`);
      i = close + 2;
      continue;
    }
    if (isIdent(c) && !isIdent(code[i - 1])) {
      let j = i;
      while (isIdent(code[j])) j++;
      const word = code.slice(i, j);
      let k = j;
      while (code[k] === " ") k++;
      if (names.has(word) && code[k] === "(" && code[i - 1] !== ".") {
        const argStart = k + 1;
        let argument: string | undefined;
        let end = -1;
        if (code[argStart] === '"') {
          const strEnd = skipString(code, argStart);
          if (code[strEnd] === ")") {
            argument = JSON.parse(code.slice(argStart, strEnd));
            end = strEnd + 1;
          }
        }
        calls.push({ name: word, start: i, end: end < 0 ? k + 1 : end, argument });
      }
      i = j;
      continue;
    }
    i++;
  }
  return calls;
}

function skipString(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === "\\") i++;
    else if (code[i] === quote) return i + 1;
    else if (code[i] === "\n") break;
  }
  throw new Error(`unterminated string at ${start}`);
}
