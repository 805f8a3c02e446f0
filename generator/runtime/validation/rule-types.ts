/**
 * The `validations` rule language as data. Rules are parsed once at generate time into these shapes
 * and shipped as JSON; the runtime only evaluates them (no code is generated from rule text).
 */

import type { MediaKind, Metric } from "./metrics.js";

// The metrics table owns the names of metrics and media; rule types use them (and nothing imports back).
export type { MediaKind, Metric } from "./metrics.js";
export type Comparator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** How messages and docs name one medium ("a public https URL of an image"). */
export const MEDIA_NOUN: Record<MediaKind, string> = { image: "an image", video: "a video", audio: "an audio file" };

export type Expr =
  | { kind: "number"; value: number }
  | { kind: "metric"; name: Metric }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: Expr; right: Expr };

/** The rule exactly as the schema wrote it, kept for messages. */
export interface RuleSource {
  rule: string;
  value: unknown;
  error: string;
}

export interface CheckedRule {
  kind: "checked";
  source: RuleSource;
  expr: Expr;
  op: Comparator;
  limit: number;
  metrics: Metric[];
}

/** A rule the generator could not parse: reported at validation time, never silently passed. */
export interface UncheckedRule {
  kind: "unchecked";
  source: RuleSource;
  reason: string;
  /** Stable id of the reason, shared with `lint`. */
  code: "rule-syntax" | "rule-unknown-metric" | "rule-unknown-operator" | "rule-bad-value";
}

export type Rule = CheckedRule | UncheckedRule;

/**
 * Rules attached to one input property. `path` is a data path pattern: property names, with `"*"`
 * for "each item of this array" (a rule on an array property applies to each item).
 */
export interface RuleTarget {
  path: string[];
  media: MediaKind | null;
  rules: Rule[];
}

/** A place the input takes media: a path (`*` for each array item) and the media kind, when known. */
export interface MediaInput {
  path: string[];
  media: MediaKind | null;
}
