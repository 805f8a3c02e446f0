/**
 * Keys an input object has that its schema does not declare. Captured schemas lag the service (it
 * accepts fields they do not list yet), so such a key is a warning by default — the request is sent
 * as is — unless the caller asks for errors, or to ignore them. A schema that itself declares
 * `additionalProperties: false` is enforced by the validator, not here.
 */
import type { ValidationIssue } from "./issues.js";
import { joinPointer, valuesAt } from "../json-pointer.js";

/** What to do with a key the schema does not declare. Default "warning". */
export type UnknownPropertiesMode = "error" | "warning" | "ignore";

/** The property names the schema declares for the objects at one data path (`*`: each array item). */
export interface KnownProperties {
  path: readonly string[];
  names: readonly string[];
}

export function unknownPropertyIssues(
  known: readonly KnownProperties[] | undefined,
  input: unknown,
  mode: UnknownPropertiesMode = "warning",
): ValidationIssue[] {
  if (mode !== "error" && mode !== "warning" && mode !== "ignore")
    throw new TypeError(`unknownProperties must be "error", "warning" or "ignore", got ${JSON.stringify(mode)}`);
  if (mode === "ignore" || !known) return [];
  const issues: ValidationIssue[] = [];
  for (const { path, names } of known) {
    for (const { pointer, value } of valuesAt(input, path)) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
      for (const key of Object.keys(value)) {
        if (names.includes(key)) continue;
        issues.push({
          path: joinPointer(pointer, key),
          source: "schema",
          severity: mode,
          keyword: "unknownProperty",
          message:
            mode === "error"
              ? "is not a known property of this model"
              : "is not a known property of this model's schema; it is sent as is (the service may know it)",
        });
      }
    }
  }
  return issues;
}
