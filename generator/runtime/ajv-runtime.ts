/**
 * The two helpers ajv's standalone code asks for with `require(...)`, reimplemented so the generated
 * validators are plain ESM with no runtime dependency on ajv, and the error helper they share.
 */
import type { AjvError } from "./issues.js";

/** String length in Unicode code points, as JSON Schema's maxLength/minLength count. */
export function ucs2length(str: string): number {
  let length = 0;
  for (let i = 0; i < str.length; i++) {
    length++;
    const code = str.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < str.length) {
      const next = str.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
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

/**
 * Appends one error to a validator's list (creating the list), as ajv's inline error code does; the
 * generated validators call this instead of repeating that code at every error site.
 */
export function pushError(
  errors: AjvError[] | null,
  instancePath: string,
  keyword: string,
  params: Record<string, unknown>,
): AjvError[] {
  const error = { instancePath, keyword, params };
  if (errors === null) return [error];
  errors.push(error);
  return errors;
}
