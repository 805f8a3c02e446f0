/**
 * What every normalizer rule works on: the node being normalized, the rule's shape, and the small
 * readers the rules share (pointer of a keyword, sub-schema lists and maps, property-name lists).
 */
import { joinPointer } from "../../runtime/json-pointer.js";
import { SchemaFileError, hasOwn, setOwn } from "../../shared/errors.js";
import type { NoteCode } from "../../shared/notes.js";
import type { Ctx } from "../context.js";
import { type JsonType, type SchemaNode, isPlainObject } from "../../ir/schema-node.js";

/** One node being normalized: the captured node (read only) and the clean one being built. */
export interface NodeContext {
  raw: Record<string, unknown>;
  out: SchemaNode;
  pointer: string;
  ctx: Ctx;
  /** Where the node's values sit in an input (`*`: each array item); null where not one place. */
  dataPath: string[] | null;
  /** Set by a rule that has finished the node (a boolean schema): later rules do not run. */
  done: boolean;
  /** A plural media format moves to the items: the format each item gets. */
  itemsFormat?: string;
  child(raw: unknown, pointer: string, dataPath: string[] | null): SchemaNode;
}

export interface NormalizerRule {
  name: string;
  /** The keywords of a captured node this rule reads (and so the normalizer knows). */
  keywords: readonly string[];
  apply(n: NodeContext): void;
}

export const fail = (n: NodeContext, at: string, message: string, ruleId: NoteCode): never => {
  throw new SchemaFileError(n.ctx.file, at, message, ruleId);
};
export const at = (n: NodeContext, ...keys: (string | number)[]) => joinPointer(n.pointer, ...keys);
export const has = (n: NodeContext, key: string) => hasOwn(n.raw, key);
export const hasType = (t: SchemaNode["type"], name: JsonType) => (Array.isArray(t) ? t.includes(name) : t === name);
/** The data path of a value below this node, or null where the node is not at one place. */
export const below = (n: NodeContext, ...keys: string[]) => (n.dataPath ? [...n.dataPath, ...keys] : null);

export const listOfSchemas = (n: NodeContext, key: string): unknown[] => {
  const list = n.raw[key];
  if (!Array.isArray(list) || !list.length)
    fail(n, at(n, key), `${key} must be a non-empty array of schemas`, "schema-shape");
  return list as unknown[];
};
export const mapOfSchemas = (
  n: NodeContext,
  key: string,
  dataPath: (name: string) => string[] | null,
): Record<string, SchemaNode> => {
  const map = n.raw[key];
  if (!isPlainObject(map)) fail(n, at(n, key), `${key} must be an object of schemas`, "schema-shape");
  const out: Record<string, SchemaNode> = {};
  for (const name of Object.keys(map as object))
    setOwn(out, name, n.child((map as Record<string, unknown>)[name], at(n, key, name), dataPath(name)));
  return out;
};
export const namesList = (n: NodeContext, value: unknown, pointer: string, what: string): string[] => {
  if (!Array.isArray(value) || value.some((r) => typeof r !== "string"))
    fail(n, pointer, `${what} must be an array of property names`, "schema-shape");
  return [...new Set(value as string[])];
};

export function boolOrSchema(n: NodeContext, key: string, dataPath: string[] | null): boolean | SchemaNode {
  const value = n.raw[key];
  if (typeof value === "boolean") return value;
  if (!isPlainObject(value)) return fail(n, at(n, key), `${key} must be a boolean or a schema`, "schema-shape");
  return n.child(value, at(n, key), dataPath);
}
