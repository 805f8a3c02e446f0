/**
 * The intermediate representation every stage after load shares: the clean JSON Schema node the
 * normalizer produces (and lint, model and emit read), the normalizer's result, and the one place that
 * knows which keywords hold subschemas. Code that visits every subschema of a node goes through
 * `forEachSubschema` (lint's checks and ReDoS scan, the types emitter's open-object check); copies
 * through `mapSchema` (the validator view, the shipped schema without rules). Transforms that build a
 * new tree in another shape (the normalizer reading raw schemas, the types view, docs text, examples)
 * recurse on their own and say why. Below every stage: it imports no stage.
 */
import type { MediaKind, Rule, RuleTarget } from "../runtime/validation/rule-types.js";
import type { Note } from "../shared/notes.js";
import type { KnownProperties } from "../runtime/validation/unknown-properties.js";

/** A clean JSON Schema node, as the emitters see it. */
export interface SchemaNode {
  type?: JsonType | JsonType[];
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Tuple items (draft-07's array form of `items` is read into this). */
  prefixItems?: SchemaNode[];
  /** Each item (after `prefixItems`, if any). */
  items?: SchemaNode;
  contains?: SchemaNode;
  minContains?: number;
  maxContains?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  unevaluatedItems?: boolean | SchemaNode;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  /** Absent unless the schema declares it: objects are open, and unknown keys are warned about at run time. */
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  minProperties?: number;
  maxProperties?: number;
  dependencies?: Record<string, SchemaNode | string[]>;
  dependentRequired?: Record<string, string[]>;
  dependentSchemas?: Record<string, SchemaNode>;
  unevaluatedProperties?: boolean | SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  not?: SchemaNode;
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  /** A pointer into the same schema (`#`, `#/definitions/x`, `#/$defs/x`). */
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  $defs?: Record<string, SchemaNode>;
  /** Which kind of media this string (or each item of this array) references: from its format or its rules. */
  "x-media"?: MediaKind;
  /** The parsed `validations` rules of this property, in words for docs (the data lives in RuleTarget). */
  "x-rules"?: Rule[];
}

export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

/** The property names an input object declares, at a data path (`*`: each array item): the runtime's own type, shipped with each model. */
export type { KnownProperties };

export interface NormalizedSchema {
  schema: SchemaNode;
  ruleTargets: RuleTarget[];
  /** Objects whose keys are all known (no additionalProperties, patternProperties…): a key outside is unknown. */
  knownProperties: KnownProperties[];
  notes: Note[];
}

/** A JSON object (not null, not an array): what a schema node other than a boolean must be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export type KeywordShape =
  /** One subschema. */
  | "schema"
  /** A non-empty list of subschemas. */
  | "schemaList"
  /** A map of names (or patterns) to subschemas. */
  | "schemaMap"
  /** A boolean or a subschema. */
  | "boolOrSchema"
  /** draft-07 `dependencies`: each value a subschema or a list of property names. */
  | "dependencies"
  /** Plain data (numbers, strings, lists of names). */
  | "value";

/** Every keyword the normalized schema may hold that validates (and so goes to ajv), with its shape. */
export const VALIDATION_KEYWORDS: Readonly<Record<string, KeywordShape>> = Object.freeze({
  $ref: "value",
  definitions: "schemaMap",
  $defs: "schemaMap",
  type: "value",
  enum: "value",
  const: "value",
  format: "value",
  minimum: "value",
  maximum: "value",
  exclusiveMinimum: "value",
  exclusiveMaximum: "value",
  multipleOf: "value",
  minLength: "value",
  maxLength: "value",
  pattern: "value",
  prefixItems: "schemaList",
  items: "schema",
  contains: "schema",
  minContains: "value",
  maxContains: "value",
  minItems: "value",
  maxItems: "value",
  uniqueItems: "value",
  unevaluatedItems: "boolOrSchema",
  properties: "schemaMap",
  patternProperties: "schemaMap",
  additionalProperties: "boolOrSchema",
  propertyNames: "schema",
  required: "value",
  minProperties: "value",
  maxProperties: "value",
  dependencies: "dependencies",
  dependentRequired: "value",
  dependentSchemas: "schemaMap",
  unevaluatedProperties: "boolOrSchema",
  anyOf: "schemaList",
  oneOf: "schemaList",
  allOf: "schemaList",
  not: "schema",
  if: "schema",
  then: "schema",
  else: "schema",
});

/** The shape of a keyword's value, or undefined for a keyword that does not validate. */
export const shapeOf = (keyword: string): KeywordShape | undefined =>
  Object.hasOwn(VALIDATION_KEYWORDS, keyword) ? VALIDATION_KEYWORDS[keyword] : undefined;

/** Calls `visit` with each direct subschema of `node`, the keyword and the key (index or name) under it. */
export function forEachSubschema(
  node: SchemaNode,
  visit: (child: SchemaNode, keyword: string, key?: string | number) => void,
): void {
  const record = node as Record<string, unknown>;
  for (const keyword of Object.keys(record)) {
    const shape = shapeOf(keyword);
    const value = record[keyword];
    if (!shape || shape === "value" || value === undefined) continue;
    if (shape === "schema" || (shape === "boolOrSchema" && typeof value === "object"))
      visit(value as SchemaNode, keyword);
    else if (shape === "schemaList") (value as SchemaNode[]).forEach((child, i) => visit(child, keyword, i));
    else if (shape === "schemaMap" || shape === "dependencies") {
      for (const key of Object.keys(value as object)) {
        const child = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === "object" && !Array.isArray(child))
          visit(child as SchemaNode, keyword, key);
      }
    }
  }
}

/** A copy of `node` keeping the keywords `keep` accepts, each subschema mapped by `view`; own keys only. */
export function mapSchema(
  node: SchemaNode,
  keep: (keyword: string) => boolean,
  view: (child: SchemaNode) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = node as Record<string, unknown>;
  for (const keyword of Object.keys(record)) {
    const value = record[keyword];
    if (value === undefined || !keep(keyword)) continue;
    const shape = shapeOf(keyword) ?? "value";
    if (shape === "schema" || (shape === "boolOrSchema" && typeof value === "object"))
      setOwn(out, keyword, view(value as SchemaNode));
    else if (shape === "schemaList") setOwn(out, keyword, (value as SchemaNode[]).map(view));
    else if (shape === "schemaMap" || shape === "dependencies") {
      const map: Record<string, unknown> = {};
      for (const key of Object.keys(value as object)) {
        const child = (value as Record<string, unknown>)[key];
        const mapped = Array.isArray(child) ? child : view(child as SchemaNode);
        setOwn(map, key, mapped);
      }
      setOwn(out, keyword, map);
    } else setOwn(out, keyword, value);
  }
  return out;
}

/** An own property, whatever its name (`__proto__` included): keys are data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
