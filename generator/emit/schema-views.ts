/**
 * The types view of a normalized schema: docs in JSDoc, titles there too but never as `title`, so no
 * type names come from translated page text (the validator view is shared/ajv.ts's).
 */
import { docText, jsLiteral } from "../shared/escape.js";
import { docLines } from "./docs.js";
import type { SchemaNode } from "../ir/schema-node.js";
import { withInheritedMember } from "./inherited-members.js";

/** Property names json-schema-to-typescript sees instead of the real ones; see typesView. */
export const keyPlaceholder = (index: number) => `__rcKey${index}`;

/** Keywords that say which kind of value a typeless schema describes (for its TypeScript type only). */
const KIND_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  array: ["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"],
  object: [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
  ],
};
const COMPOSED = ["$ref", "enum", "const", "anyOf", "oneOf", "allOf", "not", "if"];

/** The one kind a typeless schema's keywords say, if they say one: `{minLength: 2}` is typed string. */
function inferredKind(node: SchemaNode): string | undefined {
  if (node.type !== undefined || COMPOSED.some((k) => (node as Record<string, unknown>)[k] !== undefined))
    return undefined;
  const kinds = Object.keys(KIND_KEYWORDS).filter((kind) =>
    KIND_KEYWORDS[kind].some((k) => (node as Record<string, unknown>)[k] !== undefined),
  );
  return kinds.length === 1 ? kinds[0] : undefined;
}

const literalType = (v: unknown) => jsLiteral(v).replace(/\s*\n\s*/g, " ");
const isFalseSchema = (node: SchemaNode) =>
  node.not !== undefined && Object.keys(node.not).length === 0 && Object.keys(node).length === 1;
/** A `$ref` json-schema-to-typescript can follow: the root, or a definition (whose names are kept). */
const typeableRef = (ref: string) => ref === "#" || /^#\/(?:definitions|\$defs)\/[^/]+$/.test(ref);

/**
 * For json-schema-to-typescript: structure plus a composed, escaped description. Array items carry no
 * description of their own: the array's doc already says what each item is. Constraints TypeScript
 * cannot say (not, if/then/else, patterns, limits) are left to the validator and the docs: the type
 * is then wider than what validates, never narrower.
 *
 * Property names are replaced by placeholders (collected in `keys`), and enum/const literals are
 * pre-rendered with `tsType`: json-schema-to-typescript calls methods such as `hasOwnProperty` on
 * property maps and resolves `$ref` keys, and every schema string must reach generated code through
 * our one escaping helper. The emitter puts the real names back.
 */
// Its own recursion, not mapSchema: it builds a new tree in json-schema-to-typescript's dialect (tuples, placeholders).
export function typesView(node: SchemaNode, keys: string[] = [], name?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lines = docLines(node, name);
  if (lines.length) out.description = docText(lines.join("\n"));
  const view = (n: SchemaNode) => typesView(n, keys);
  if (isFalseSchema(node)) return { ...out, tsType: "never" };
  if (node.enum) out.tsType = node.enum.map(literalType).join(" | ");
  else if (node.const !== undefined) out.tsType = literalType(node.const);
  else if (node.$ref !== undefined && !typeableRef(node.$ref)) out.tsType = "unknown";
  else if (node.$ref !== undefined) out.$ref = node.$ref;
  else if (node.type !== undefined) out.type = node.type;
  else if (inferredKind(node)) out.type = inferredKind(node);
  for (const key of ["definitions", "$defs"] as const) {
    const defs = node[key];
    if (defs) out[key] = Object.fromEntries(Object.keys(defs).map((name) => [name, view(defs[name])]));
  }
  if (node.properties || node.required) {
    /** This node's own property names → their placeholders (a nested property of the same name has its own). */
    const own = new Map<string, string>();
    const props: Record<string, unknown> = {};
    const add = (name: string, schema: Record<string, unknown>) => {
      keys.push(name);
      own.set(name, keyPlaceholder(keys.length - 1));
      props[keyPlaceholder(keys.length - 1)] = schema;
    };
    for (const name of Object.keys(node.properties ?? {}))
      add(
        name,
        withInheritedMember(name, typesView(node.properties![name], keys, name), !!node.required?.includes(name)),
      );
    // A required name with no schema of its own is still required: typed unknown.
    for (const name of node.required ?? []) if (!own.has(name)) add(name, {});
    out.properties = props;
    if (node.required) out.required = node.required.map((name) => own.get(name));
  }
  if (node.prefixItems) {
    // json-schema-to-typescript reads draft-07 tuples; items after the tuple are optional, as in JSON Schema.
    out.items = node.prefixItems.map(view);
    out.minItems = Math.min(node.minItems ?? 0, node.prefixItems.length);
    out.additionalItems = node.items
      ? view(node.items)
      : !(node.maxItems !== undefined && node.maxItems <= node.prefixItems.length);
  } else if (node.items) {
    out.items = view(node.items);
    delete (out.items as Record<string, unknown>).description;
  }
  if (node.additionalProperties !== undefined)
    out.additionalProperties =
      typeof node.additionalProperties === "object" ? view(node.additionalProperties) : node.additionalProperties;
  for (const key of ["anyOf", "oneOf", "allOf"] as const) if (node[key]) out[key] = node[key]!.map(view);
  if (out.tsType) delete out.type;
  // A schema that says nothing TypeScript can say (only not, if/then/else, …) is `unknown`, never `{}`.
  if (!["type", "tsType", "$ref", "properties", "items", "anyOf", "oneOf", "allOf"].some((k) => out[k] !== undefined))
    out.tsType = "unknown";
  return out;
}
