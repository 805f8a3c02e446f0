/**
 * The JSON Schema keywords of a normalized schema, by the shape of their value: the one place that
 * knows which keywords hold subschemas. Code that visits every subschema of a normalized schema goes
 * through `forEachSubschema` (lint's checks and ReDoS scan, the types emitter's open-object check);
 * copies that keep some keywords through `mapSchema` (the validator view). Transforms that build a new
 * tree in another shape (the normalizer reading raw schemas, the types view, docs text, examples)
 * recurse on their own and say why.
 */
import type { SchemaNode } from "../normalize/normalize.js";

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
      out[keyword] = view(value as SchemaNode);
    else if (shape === "schemaList") out[keyword] = (value as SchemaNode[]).map(view);
    else if (shape === "schemaMap" || shape === "dependencies") {
      const map: Record<string, unknown> = {};
      for (const key of Object.keys(value as object)) {
        const child = (value as Record<string, unknown>)[key];
        const mapped = Array.isArray(child) ? child : view(child as SchemaNode);
        Object.defineProperty(map, key, { value: mapped, enumerable: true, writable: true, configurable: true });
      }
      out[keyword] = map;
    } else out[keyword] = value;
  }
  return out;
}
