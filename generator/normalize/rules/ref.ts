import { decodePointerToken } from "../../runtime/json-pointer.js";
import { hasOwn } from "../../shared/errors.js";
import { note } from "../context.js";
import { isPlainObject } from "../../ir/schema-node.js";
import { ANNOTATIONS } from "./annotations.js";
import { type NormalizerRule, at, fail, has, mapOfSchemas } from "./node-context.js";

export const ref: NormalizerRule = {
  name: "ref",
  keywords: ["$ref", "definitions", "$defs"],
  apply(n) {
    for (const key of ["definitions", "$defs"] as const) if (has(n, key)) n.out[key] = mapOfSchemas(n, key, () => null);
    if (!has(n, "$ref")) return;
    const ref = n.raw.$ref;
    if (typeof ref !== "string") fail(n, at(n, "$ref"), "$ref must be a string", "schema-shape");
    if (!(ref as string).startsWith("#")) {
      fail(
        n,
        at(n, "$ref"),
        `$ref ${JSON.stringify(ref)} points outside this schema: remote and file references are never fetched or read — copy the definition into "definitions" and refer to it as "#/definitions/<name>"`,
        "remote-ref",
      );
    }
    if (!resolvePointer(n.ctx.root, (ref as string).slice(1)))
      fail(
        n,
        at(n, "$ref"),
        `$ref ${JSON.stringify(ref)} does not resolve inside this schema (pointers start at the ${n.ctx.rootPointer} object)`,
        "bad-ref",
      );
    n.out.$ref = "#" + tupleRefPointer(n.ctx.root, (ref as string).slice(1));
    if (n.ctx.draft === "draft-07") {
      // draft-07: a $ref's siblings are ignored. Only annotations and definitions are kept.
      const ignored = Object.keys(n.raw).filter(
        (k) => !["$ref", "definitions", "$defs", ...ANNOTATIONS, "default"].includes(k),
      );
      for (const key of ignored)
        note(
          n.ctx,
          "ref-sibling-ignored",
          at(n, key),
          `${JSON.stringify(key)} beside $ref is ignored (draft-07); put both in an allOf to apply it`,
        );
      n.raw = Object.fromEntries(Object.entries(n.raw).filter(([k]) => !ignored.includes(k)));
    }
  },
};

/**
 * A pointer into the captured schema, as it reads in the normalized one: draft-07 tuple `items` are
 * `prefixItems` there, and their `additionalItems` is `items`.
 */
function tupleRefPointer(root: unknown, pointer: string): string {
  if (!pointer.startsWith("/")) return pointer;
  let node = root;
  const tokens = pointer.slice(1).split("/");
  return (
    "/" +
    tokens
      .map((token) => {
        const key = decodePointerToken(decodeURIComponent(token));
        const tuple = isPlainObject(node) && Array.isArray(node.items);
        node =
          node !== null && typeof node === "object" && hasOwn(node, key)
            ? (node as Record<string, unknown>)[key]
            : undefined;
        return tuple && key === "items" ? "prefixItems" : tuple && key === "additionalItems" ? "items" : token;
      })
      .join("/")
  );
}

/** The value a local `$ref` pointer (`/definitions/x`, or "" for the root) names in `root`, if any. */
export function resolvePointer(root: unknown, pointer: string): boolean {
  if (pointer === "") return true;
  if (!pointer.startsWith("/")) return false;
  let node = root;
  for (const token of pointer.slice(1).split("/")) {
    const key = decodePointerToken(decodeURIComponent(token));
    if (node === null || typeof node !== "object" || !hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined && (typeof node === "boolean" || isPlainObject(node));
}
