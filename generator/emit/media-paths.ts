/**
 * The input's media values as paths for the client's types: `"image_urls/*"` (`*` for array items),
 * a TypeScript union of string literals, or `never`. The generated `ModelTypes` carries it as
 * `mediaPaths`, so `submit`, `run` and `subscribe` take local media (`Blob`, `File`, `Uint8Array`)
 * exactly there (runtime/client-media.ts).
 */
import type { SchemaNode } from "../normalize/normalize.js";
import { jsString } from "../shared/escape.js";

/** Deeper than any captured schema nests media; a bound for hostile ones. */
const MAX_DEPTH = 16;

const isArrayType = (type: unknown) => type === "array" || (Array.isArray(type) && type.includes("array"));

/** The media paths of an input schema, sorted. */
export function mediaPaths(schema: SchemaNode): string[] {
  const found = new Set<string>();
  const walk = (node: SchemaNode | undefined, path: string[], depth: number) => {
    if (!node || typeof node !== "object" || depth > MAX_DEPTH) return;
    // The normalizer also marks an array of media with its kind: the items take media, not the array.
    if (node["x-media"] && !isArrayType(node.type)) found.add(path.join("/"));
    // A key the path syntax cannot spell keeps URLs only in the types (the client still sends local media there).
    for (const [key, child] of Object.entries(node.properties ?? {}))
      if (!key.includes("/") && key !== "*") walk(child, [...path, key], depth + 1);
    for (const item of [...(node.items ? [node.items] : []), ...(node.prefixItems ?? [])])
      walk(item, [...path, "*"], depth + 1);
    for (const alternative of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      walk(alternative, path, depth + 1);
  };
  walk(schema, [], 0);
  return [...found].sort();
}

/** `mediaPaths` as a TypeScript type: a union of string literals, or `never`. */
export function mediaPathsType(schema: SchemaNode): string {
  const paths = mediaPaths(schema);
  return paths.length ? paths.map(jsString).join(" | ") : "never";
}
