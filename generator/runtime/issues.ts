/** Validation results: one list of issues, from the schema and from the media rules. */

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

const MEDIA_NOUN: Record<string, string> = { image_uri: "an image", video_uri: "a video", audio_uri: "an audio file" };

const token = (key: string) => "/" + key.replace(/~/g, "~0").replace(/\//g, "~1");

export function issueFromAjv(error: AjvError): ValidationIssue {
  const p = error.params;
  let path = error.instancePath;
  let message = error.message ?? "is invalid";
  switch (error.keyword) {
    case "required":
      path += token(String(p.missingProperty));
      message = "is required";
      break;
    case "additionalProperties":
      path += token(String(p.additionalProperty));
      message = "is not a known property of this model";
      break;
    case "enum":
      message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    case "format":
      message = Object.prototype.hasOwnProperty.call(MEDIA_NOUN, String(p.format)) ? `must be a public https URL of ${MEDIA_NOUN[String(p.format)]}` : `must be a valid ${String(p.format)}`;
      break;
  }
  return { path, message, source: "schema", severity: "error", keyword: error.keyword };
}

export function resultOf(issues: ValidationIssue[]): ValidationResult {
  return { valid: !issues.some((i) => i.severity === "error"), issues };
}
