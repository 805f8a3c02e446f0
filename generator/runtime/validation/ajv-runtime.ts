/**
 * The two helpers ajv's standalone code asks for with `require(...)`, reimplemented so the generated
 * validators are plain ESM with no runtime dependency on ajv.
 */

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/**
 * String length in Unicode code points, as JSON Schema's maxLength/minLength count: a string without
 * a high surrogate (nearly every input) has as many code points as UTF-16 units, found by one regex
 * scan in native code; otherwise each high surrogate followed by a low one counts once. The loop is
 * ajv's own (ajv/dist/runtime/ucs2length): a `for` loop that also advanced its index inside the
 * body made the validators measurably slower than ajv's on short strings (bench section "validate").
 */
export function ucs2length(str: string): number {
  if (str.length > 8 && !HIGH_SURROGATE.test(str)) return str.length;
  const len = str.length;
  let length = 0;
  let pos = 0;
  while (pos < len) {
    length++;
    const value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len && (str.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++;
  }
  return length;
}

/** Deep equality of JSON values, for enum/const/uniqueItems. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a !== a && b !== b; // NaN
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => equal(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
