/**
 * Schema text for readers: the JSDoc lines of the generated types and the property table of each
 * model's docs page, rendered from the normalized schema the intermediate model holds.
 */
import type { JsonType, SchemaNode } from "../ir/schema-node.js";
import { decodePointerToken } from "../runtime/json-pointer.js";
import { formatRule } from "../runtime/validation/rule-eval.js";
import { MEDIA_NOUN } from "../runtime/validation/rule-types.js";

/** One row of a docs page's input table. */
export interface PropertyDoc {
  name: string;
  type: string;
  required: boolean;
  /** JSON text of the default, if any. */
  default?: string;
  limits: string[];
  rules: string[];
  description?: string;
}

/**
 * A short TypeScript-like rendering of a schema's type, for docs. Its own recursion, not
 * forEachSubschema: it builds text from the few keywords a type is made of, in their order.
 */
export function typeText(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.$ref !== undefined)
    return node.$ref === "#" ? "(this object)" : decodePointerToken(node.$ref.split("/").pop()!);
  const types: JsonType[] = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const parts = types.map((t) => {
    if (t === "array" && node.prefixItems)
      return `[${[...node.prefixItems.map(typeText), ...(node.items ? [`...${wrapUnion(typeText(node.items))}[]`] : [])].join(", ")}]`;
    if (t === "array") return `${node.items ? wrapUnion(typeText(node.items)) : "unknown"}[]`;
    if (t === "integer") return "integer";
    if (t === "string" && node["x-media"]) return `${node["x-media"]} URL`;
    if (t === "string" && node.format) return `string (${node.format})`;
    return t;
  });
  for (const key of ["anyOf", "oneOf"] as const) if (node[key]) parts.push(...node[key]!.map(typeText));
  return parts.join(" | ") || (node.properties ? "object" : "any value");
}

const wrapUnion = (t: string) => (t.includes("|") ? `(${t})` : t);

/** Limits in words: lengths, counts, ranges. */
export function limitsText(node: SchemaNode): string[] {
  const out: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    const u = (n: number) => (unit && n === 1 ? unit.replace(/ies$/, "y").replace(/s$/, "") : unit);
    if (min !== undefined && max !== undefined)
      out.push(min === max ? `exactly ${min}${u(min)}` : `${min} to ${max}${u(max)}`);
    else if (min !== undefined) out.push(`at least ${min}${u(min)}`);
    else if (max !== undefined) out.push(`at most ${max}${u(max)}`);
  };
  range(node.minLength, node.maxLength, " characters");
  range(node.minItems, node.maxItems, " items");
  range(node.minimum, node.maximum, "");
  if (node.exclusiveMinimum !== undefined) out.push(`greater than ${node.exclusiveMinimum}`);
  if (node.exclusiveMaximum !== undefined) out.push(`less than ${node.exclusiveMaximum}`);
  if (node.multipleOf !== undefined) out.push(`a multiple of ${node.multipleOf}`);
  if (node.pattern !== undefined) out.push(`matches /${node.pattern}/`);
  if (node.uniqueItems) out.push("items unique");
  range(node.minProperties, node.maxProperties, " properties");
  if (node.contains) out.push(`contains an item of type ${typeText(node.contains)}`);
  if (node.patternProperties)
    out.push(
      `keys matching ${Object.keys(node.patternProperties)
        .map((p) => `/${p}/`)
        .join(", ")} are checked`,
    );
  if (node.propertyNames) out.push("key names are checked");
  for (const [key, names] of Object.entries(node.dependentRequired ?? {}))
    out.push(`with ${key}, also ${names.join(", ")}`);
  if (node.not) out.push("must not match a schema");
  if (node.if) out.push("conditional (if/then/else)");
  return out;
}

export function rulesText(node: SchemaNode): string[] {
  return (node["x-rules"] ?? []).map((r) =>
    r.kind === "checked"
      ? `${r.source.error || "rule"} (${formatRule(r)})`
      : `${r.source.error || r.source.rule} (not checked: ${r.reason})`,
  );
}

/** Letters and digits only, lower case: `Image URL` and `image_url` say the same. */
const wordsOf = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

/**
 * The schema's `title`, for the hover's first line, unless it says no more than the property's name
 * (`Prompt` on `prompt`) or the description.
 */
export function titleText(node: SchemaNode, name?: string): string | undefined {
  const title = node.title?.trim();
  if (!title) return undefined;
  if (name !== undefined && wordsOf(title) === wordsOf(name)) return undefined;
  if (node.description !== undefined && wordsOf(title) === wordsOf(node.description)) return undefined;
  return title;
}

/**
 * The lines of a property's doc comment: its title (a paragraph of its own), then description,
 * default, limits, media and rules in words.
 */
export function docLines(node: SchemaNode, name?: string): string[] {
  const lines: string[] = [];
  const title = titleText(node, name);
  if (title) lines.push(title, "");
  if (node.description) lines.push(node.description);
  // TypeScript says `number`; the schema says whole numbers only.
  const isInteger = (n: SchemaNode | undefined) =>
    !!n && (Array.isArray(n.type) ? n.type.includes("integer") : n.type === "integer");
  if (isInteger(node)) lines.push("An integer.");
  else if (isInteger(node.items)) lines.push("Each item is an integer.");
  if (node.default !== undefined) lines.push(`Default: ${JSON.stringify(node.default)}`);
  const limits = limitsText(node);
  if (limits.length) lines.push(`Limits: ${limits.join("; ")}.`);
  const media = node["x-media"] ?? node.items?.["x-media"];
  if (media) lines.push(`Media: ${node.items ? "each item is " : ""}a public https URL of ${MEDIA_NOUN[media]}.`);
  for (const rule of rulesText(node)) lines.push(`Rule: ${rule}`);
  // A title alone is one line, without the paragraph break meant for what follows it.
  return lines.length === 2 && title ? [title] : lines;
}

/** The rows of a model's docs page: one per input property. */
export function propertyDocs(schema: SchemaNode): PropertyDoc[] {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  return Object.keys(props).map((name) => {
    const node = props[name];
    return {
      name,
      type: typeText(node),
      required: required.has(name),
      default: node.default === undefined ? undefined : JSON.stringify(node.default),
      limits: limitsText(node),
      rules: rulesText(node),
      description: node.description,
    };
  });
}
