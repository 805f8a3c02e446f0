/**
 * Views of a normalized schema for each consumer: the types view (docs in JSDoc, no titles, so no
 * type names come from translated page text) and the validator view (only keywords that validate).
 */
import { docText } from "../escape.js";
import { docLines } from "../model.js";
import type { SchemaNode } from "../normalize.js";

const TYPE_KEYWORDS = ["type", "enum", "const", "items", "properties", "required", "additionalProperties", "anyOf", "oneOf", "allOf"] as const;
const VALIDATION_KEYWORDS = [
  "type", "enum", "const", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
  "pattern", "items", "minItems", "maxItems", "uniqueItems", "properties", "required", "additionalProperties", "anyOf", "oneOf", "allOf",
] as const;

function mapChildren(node: SchemaNode, out: Record<string, unknown>, view: (n: SchemaNode) => Record<string, unknown>, keywords: readonly string[]) {
  for (const key of keywords) {
    const value = (node as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === "items") out.items = view(value as SchemaNode);
    else if (key === "properties") {
      const props: Record<string, unknown> = {};
      for (const name of Object.keys(value as object)) {
        Object.defineProperty(props, name, { value: view((value as Record<string, SchemaNode>)[name]), enumerable: true, writable: true, configurable: true });
      }
      out.properties = props;
    } else if (key === "additionalProperties" && typeof value === "object") out.additionalProperties = view(value as SchemaNode);
    else if (key === "anyOf" || key === "oneOf" || key === "allOf") out[key] = (value as SchemaNode[]).map(view);
    else out[key] = value;
  }
}

/**
 * For json-schema-to-typescript: structure plus a composed, escaped description. Array items carry no
 * description of their own: the array's doc already says what each item is.
 */
export function typesView(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lines = docLines(node);
  if (lines.length) out.description = docText(lines.join("\n"));
  mapChildren(node, out, typesView, TYPE_KEYWORDS);
  if (node.items && out.items) delete (out.items as Record<string, unknown>).description;
  return out;
}

/** For ajv: validating keywords only, so the compiled code stays small. */
export function validatorView(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  mapChildren(node, out, validatorView, VALIDATION_KEYWORDS);
  return out;
}
