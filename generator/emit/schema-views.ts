/**
 * Views of a normalized schema for each consumer: the types view (docs in JSDoc, no titles, so no
 * type names come from translated page text) and the validator view (only keywords that validate).
 */
import { docText, jsLiteral } from "../shared/escape.js";
import { docLines } from "../model/model.js";
import type { SchemaNode } from "../normalize/normalize.js";

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

/** Property names json-schema-to-typescript sees instead of the real ones; see typesView. */
export const keyPlaceholder = (index: number) => `__rcKey${index}`;

/**
 * For json-schema-to-typescript: structure plus a composed, escaped description. Array items carry no
 * description of their own: the array's doc already says what each item is.
 *
 * Property names are replaced by placeholders (collected in `keys`), and enum/const literals are
 * pre-rendered with `tsType`: json-schema-to-typescript calls methods such as `hasOwnProperty` on
 * property maps and resolves `$ref` keys, and every schema string must reach generated code through
 * our one escaping helper. The emitter puts the real names back.
 */
export function typesView(node: SchemaNode, keys: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lines = docLines(node);
  if (lines.length) out.description = docText(lines.join("\n"));
  const view = (n: SchemaNode) => typesView(n, keys);
  /** This node's own property names → their placeholders (a nested property of the same name has its own). */
  const own = new Map<string, string>();
  for (const key of TYPE_KEYWORDS) {
    const value = (node as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === "properties") {
      const props: Record<string, unknown> = {};
      for (const name of Object.keys(value as object)) {
        keys.push(name);
        own.set(name, keyPlaceholder(keys.length - 1));
        props[keyPlaceholder(keys.length - 1)] = view((value as Record<string, SchemaNode>)[name]);
      }
      out.properties = props;
    } else if (key === "required") {
      out.required = (value as string[]).map((name) => own.get(name));
    } else if (key === "enum") {
      out.tsType = (value as unknown[]).map((v) => jsLiteral(v).replace(/\s*\n\s*/g, " ")).join(" | ");
    } else if (key === "const") {
      out.tsType = jsLiteral(value).replace(/\s*\n\s*/g, " ");
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) out[key] = view(value as SchemaNode);
    else if (key === "anyOf" || key === "oneOf" || key === "allOf") out[key] = (value as SchemaNode[]).map(view);
    else out[key] = value;
  }
  if (out.tsType) {
    delete out.type;
  }
  if (node.items && out.items) delete (out.items as Record<string, unknown>).description;
  return out;
}

/** For ajv: validating keywords only, so the compiled code stays small. */
export function validatorView(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  mapChildren(node, out, validatorView, VALIDATION_KEYWORDS);
  return out;
}
