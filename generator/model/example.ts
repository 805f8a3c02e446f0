/**
 * Usage examples. For models whose schema file has none (catalog and `pull` schemas never do), one is
 * synthesized: the required properties only, each from its default, its first enum value or const,
 * or a placeholder that meets its limits (a public https URL of the right media kind for media
 * inputs). A file's example is used as written except where it leaves a required string empty (the
 * docs pages print `""` as the blank to fill in): there, and where a default is empty, a readable
 * placeholder stands. So no example sends an empty required value, and every one validates (a test
 * validates each against its model's validator).
 */
import type { SchemaNode } from "../ir/schema-node.js";
import { joinPointer } from "../runtime/json-pointer.js";
import type { MediaKind } from "../runtime/validation/rule-types.js";

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

/**
 * A file's example with each empty string at a required place (a required property, a list item)
 * replaced by a placeholder, and the pointers (into the example) of the places filled.
 */
export function fillExampleBlanks(
  schema: SchemaNode,
  example: Record<string, unknown>,
): { input: Record<string, unknown>; filled: string[] } {
  const filled: string[] = [];
  const fill = (
    node: SchemaNode | undefined,
    value: unknown,
    pointer: string,
    required: boolean,
    name: string,
    rulesOn = node,
  ): unknown => {
    if (!node) return value;
    if (value === "" && required && typesOf(node).includes("string")) {
      // What a synthesized example would send there: a default, enum value or example that is not "", else a placeholder.
      const sample = sampleOf(node, 0, name, rulesOn);
      if (sample === "") return value;
      filled.push(pointer);
      return sample;
    }
    if (Array.isArray(value) && node.items)
      return value.map((v, i) => fill(node.items, v, `${pointer}/${i}`, true, name, node));
    if (value === null || typeof value !== "object" || Array.isArray(value) || !node.properties) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const child = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
      const given = (value as Record<string, unknown>)[key];
      const filledValue = fill(child, given, joinPointer(pointer, key), !!node.required?.includes(key), key);
      Object.defineProperty(out, key, { value: filledValue, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return { input: fill(schema, example, "", true, "") as Record<string, unknown>, filled };
}

const typesOf = (node: SchemaNode): string[] => (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []);

// Its own recursion, not forEachSubschema: it builds a value along the data's shape (properties, items, the first alternative).
function sampleOf(node: SchemaNode, depth: number, name = "", rulesOn = node): unknown {
  // An empty string sends nothing: a default, enum value or example of "" is passed over.
  const given = (v: unknown) => v !== undefined && v !== "";
  if (given(node.default)) return node.default;
  if (node.const !== undefined) return node.const;
  const value = node.enum?.find(given) ?? node.examples?.find(given);
  if (value !== undefined) return value;
  if (node.enum?.length) return node.enum[0];
  const first = node.anyOf?.[0] ?? node.oneOf?.[0];
  const types = typesOf(node);
  if (!types.length && first) return sampleOf(first, depth + 1, name, rulesOn);
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object":
      return objectSample(node, depth);
    case "array": {
      const media = node["x-media"] || node.items?.["x-media"] || mediaOfRules(node);
      const count = Math.max(node.minItems ?? 0, media ? 1 : 0);
      const item = node.items ?? {};
      return Array.from({ length: count }, (_, i) =>
        withIndex(sampleOf(item, depth + 1, name, node), i, node.uniqueItems),
      );
    }
    case "string":
      return stringSample(node, name, rulesOn);
    case "integer":
    case "number":
      return numberSample(node, type === "integer");
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return first ? sampleOf(first, depth + 1, name, rulesOn) : null;
  }
}

function objectSample(node: SchemaNode, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 32) return out;
  for (const name of node.required ?? []) {
    const child = node.properties && Object.hasOwn(node.properties, name) ? node.properties[name] : {};
    Object.defineProperty(out, name, {
      value: sampleOf(child, depth + 1, name),
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

/** A placeholder string for a property: a URL for media, a value of a standard format, else words from its name. */
function stringSample(node: SchemaNode, name: string, rulesOn = node): string {
  const media = node["x-media"] ?? mediaOfRules(rulesOn);
  if (media) return PLACEHOLDER_URL[media];
  if (node.format === "uri") return "https://example.com/";
  if (node.format === "date-time") return "2025-01-01T00:00:00Z";
  if (node.format === "date") return "2025-01-01";
  if (node.format === "email") return "user@example.com";
  if (node.format === "uuid") return "00000000-0000-4000-8000-000000000000";
  const words = name.replace(/[_\s-]+/g, " ").trim();
  let text = /^[\p{L}\p{N} ]+$/u.test(words) ? `example ${words.toLowerCase()}` : "example";
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

/** A string without a media format whose media rules say it takes media (the normalizer's media-from-rules). */
function mediaOfRules(node: SchemaNode): MediaKind | undefined {
  const checked = (node["x-rules"] ?? []).filter((r) => r.kind === "checked");
  if (!checked.length) return undefined;
  return checked.some((r) => r.metrics.includes("duration_seconds")) ? "video" : "image";
}
