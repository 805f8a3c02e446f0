/**
 * A usage example for models whose schema file has none (catalog and `pull` schemas never do): the
 * required properties only, each from its default, its first enum value or const, or a placeholder
 * that meets its limits (a public https URL of the right media kind for media inputs). The docs show
 * it; a test validates every one against its model's validator.
 */
import type { SchemaNode } from "../normalize/normalize.js";
import type { MediaKind } from "../runtime/rule-types.js";

const PLACEHOLDER_URL: Readonly<Record<MediaKind, string>> = {
  image: "https://example.com/image.png",
  video: "https://example.com/video.mp4",
  audio: "https://example.com/audio.mp3",
};

/** The example input of an object schema: its required properties. */
export function synthesizeExample(schema: SchemaNode): Record<string, unknown> {
  const value = sampleOf(schema, 0);
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const typesOf = (node: SchemaNode): string[] => (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []);

// Its own recursion, not forEachSubschema: it builds a value along the data's shape (properties, items, the first alternative).
function sampleOf(node: SchemaNode, depth: number): unknown {
  if (node.default !== undefined) return node.default;
  if (node.const !== undefined) return node.const;
  if (node.enum?.length) return node.enum[0];
  if (node.examples?.length) return node.examples[0];
  const first = node.anyOf?.[0] ?? node.oneOf?.[0];
  const types = typesOf(node);
  if (!types.length && first) return sampleOf(first, depth + 1);
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object":
      return objectSample(node, depth);
    case "array": {
      const count = Math.max(node.minItems ?? 0, node["x-media"] || node.items?.["x-media"] ? 1 : 0);
      const item = node.items ?? {};
      return Array.from({ length: count }, (_, i) => withIndex(sampleOf(item, depth + 1), i, node.uniqueItems));
    }
    case "string":
      return stringSample(node);
    case "integer":
    case "number":
      return numberSample(node, type === "integer");
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return first ? sampleOf(first, depth + 1) : null;
  }
}

function objectSample(node: SchemaNode, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 32) return out;
  for (const name of node.required ?? []) {
    const child = node.properties && Object.hasOwn(node.properties, name) ? node.properties[name] : {};
    Object.defineProperty(out, name, {
      value: sampleOf(child, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Unique items differ: a string item gets its index appended, a number its index added. */
function withIndex(value: unknown, i: number, unique: boolean | undefined): unknown {
  if (!unique || i === 0) return value;
  if (typeof value === "string")
    return value.startsWith("https://") ? value.replace(/(\.\w+)$/, `-${i}$1`) : `${value}${i}`;
  if (typeof value === "number") return value + i;
  return value;
}

function stringSample(node: SchemaNode): string {
  const media = node["x-media"];
  if (media) return PLACEHOLDER_URL[media];
  if (node.format === "uri") return "https://example.com/";
  if (node.format === "date-time") return "2025-01-01T00:00:00Z";
  if (node.format === "date") return "2025-01-01";
  if (node.format === "email") return "user@example.com";
  if (node.format === "uuid") return "00000000-0000-4000-8000-000000000000";
  let text = "example";
  if (node.minLength !== undefined) while ([...text].length < node.minLength) text += " example";
  if (node.maxLength !== undefined) text = [...text].slice(0, node.maxLength).join("");
  return text;
}

function numberSample(node: SchemaNode, integer: boolean): number {
  let n =
    node.minimum ??
    (node.exclusiveMinimum !== undefined
      ? node.exclusiveMinimum + (integer ? 1 : 0.5)
      : node.maximum !== undefined && node.maximum < 1
        ? node.maximum
        : 1);
  if (node.exclusiveMaximum !== undefined && n >= node.exclusiveMaximum)
    n = node.exclusiveMaximum - (integer ? 1 : 0.5);
  if (integer) n = Math.ceil(n);
  if (node.multipleOf) n = Math.ceil(n / node.multipleOf) * node.multipleOf;
  return n;
}
