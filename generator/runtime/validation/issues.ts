/** Validation results: one list of issues, from the schema and from the media rules. */

import { joinPointer } from "../json-pointer.js";
import { MEDIA_NOUN, type MediaKind } from "./rule-types.js";

export interface ValidationIssue {
  /** JSON pointer into the input (`/image_urls/0`). */
  path: string;
  message: string;
  source: "schema" | "rule";
  /** `warning` issues (unchecked rules, unmeasurable metrics) do not make the input invalid. */
  severity: "error" | "warning";
  /** Schema keyword that failed (`required`, `enum`, …). */
  keyword?: string;
  /** The rule as the schema wrote it, e.g. `width/height<`. */
  rule?: string;
  actual?: number;
  limit?: number;
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

/** The error objects ajv's generated code produces (only the fields used here). */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A message for every keyword the validators check (they are compiled without ajv's messages). */
function messageFor(keyword: string, p: Record<string, unknown>): string {
  switch (keyword) {
    case "type":
      return `must be ${Array.isArray(p.type) ? (p.type as string[]).join(" or ") : String(p.type)}`;
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not a known property of this model";
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case "format": {
      const media = /^(image|video|audio)_uri$/.exec(String(p.format))?.[1] as MediaKind | undefined;
      return media ? `must be a public https URL of ${MEDIA_NOUN[media]}` : `must be a valid ${String(p.format)}`;
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case "multipleOf":
      return `must be a multiple of ${String(p.multipleOf)}`;
    case "minLength":
      return p.limit === 1 ? "must not be empty" : `must have at least ${String(p.limit)} characters`;
    case "maxLength":
      return `must have at most ${String(p.limit)} characters`;
    case "minItems":
      return `must have at least ${String(p.limit)} items`;
    case "maxItems":
      return `must have at most ${String(p.limit)} items`;
    case "uniqueItems":
      return `must not have duplicate items (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case "pattern":
      return `must match the pattern ${String(p.pattern)}`;
    case "anyOf":
      return "must match one of the allowed schemas";
    case "oneOf":
      return "must match exactly one of the allowed schemas";
    default:
      return `is invalid (${keyword})`;
  }
}

export function issueFromAjv(error: AjvError): ValidationIssue {
  const p = error.params;
  let path = error.instancePath;
  if (error.keyword === "required") path = joinPointer(path, String(p.missingProperty));
  if (error.keyword === "additionalProperties") path = joinPointer(path, String(p.additionalProperty));
  return { path, message: messageFor(error.keyword, p), source: "schema", severity: "error", keyword: error.keyword };
}

export function resultOf(issues: ValidationIssue[]): ValidationResult {
  return { valid: !issues.some((i) => i.severity === "error"), issues };
}
