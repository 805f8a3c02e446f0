/**
 * The input's media values as paths for the client's types: `"image_urls/*"` (`*` for array items),
 * a TypeScript union of string literals, or `never`. The generated `ModelTypes` carries it as
 * `mediaPaths`, so `submit`, `run` and `subscribe` take local media (`Blob`, `File`, `Uint8Array`)
 * exactly there (runtime/client-media.ts).
 */
import type { SchemaNode } from "../ir/schema-node.js";
import { jsString } from "../shared/escape.js";
import type { MediaInput, RuleTarget } from "../runtime/validation/rule-types.js";

/** Deeper than any captured schema nests media; a bound for hostile ones. */
const MAX_DEPTH = 16;

const isArrayType = (type: unknown) => type === "array" || (Array.isArray(type) && type.includes("array"));

/** Where an input schema takes media by its format, each path with its kind. */
function formatMedia(schema: SchemaNode): MediaInput[] {
  const found: MediaInput[] = [];
  const walk = (node: SchemaNode | undefined, path: string[], depth: number) => {
    if (!node || typeof node !== "object" || depth > MAX_DEPTH) return;
    // The normalizer also marks an array of media with its kind: the items take media, not the array.
    if (node["x-media"] && !isArrayType(node.type)) found.push({ path, media: node["x-media"] });
    // A key named "*" would read as "each item".
    for (const key of Object.keys(node.properties ?? {}))
      if (key !== "*") walk(Object.getOwnPropertyDescriptor(node.properties, key)?.value, [...path, key], depth + 1);
    for (const item of [...(node.items ? [node.items] : []), ...(node.prefixItems ?? [])])
      walk(item, [...path, "*"], depth + 1);
    for (const alternative of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      walk(alternative, path, depth + 1);
  };
  walk(schema, [], 0);
  return found;
}

/** The media paths of an input schema, sorted. */
export function mediaPaths(schema: SchemaNode): string[] {
  // A key the path syntax cannot spell keeps URLs only in the types (the client still sends local media there).
  const spelled = formatMedia(schema).filter(({ path }) => path.every((key) => !key.includes("/")));
  return [...new Set(spelled.map(({ path }) => path.join("/")))].sort();
}

/**
 * Every place the input takes media, for validation's empty-value warnings: by format, and by media
 * rules on a property without one (the rule targets), each path once.
 */
export function mediaInputs(schema: SchemaNode, ruleTargets: readonly RuleTarget[]): MediaInput[] {
  const byPath = new Map<string, MediaInput>();
  for (const input of [...formatMedia(schema), ...ruleTargets.map(({ path, media }) => ({ path, media }))])
    if (!byPath.has(JSON.stringify(input.path))) byPath.set(JSON.stringify(input.path), input);
  return [...byPath.values()];
}

/** `mediaPaths` as a TypeScript type: a union of string literals, or `never`. */
export function mediaPathsType(schema: SchemaNode): string {
  const paths = mediaPaths(schema);
  return paths.length ? paths.map(jsString).join(" | ") : "never";
}
