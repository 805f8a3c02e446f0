import { hasOwn } from "../../shared/errors.js";
import { note } from "../context.js";
import type { JsonType } from "../../ir/schema-node.js";
import { JSON_TYPES, TYPE_ALIASES } from "../vocabulary.js";
import { type NodeContext, type NormalizerRule, at, fail } from "./node-context.js";

export const type: NormalizerRule = {
  name: "type",
  keywords: ["type", "nullable"],
  apply(n) {
    let type = resolveType(n);
    if (n.raw.nullable === true && type !== undefined) {
      type = [...new Set([...(Array.isArray(type) ? type : [type]), "null" as JsonType])];
      note(n.ctx, "nullable", at(n, "nullable"), "OpenAPI `nullable: true` read as a union with null");
    }
    if (type !== undefined) n.out.type = type;
  },
};

function resolveType(n: NodeContext): JsonType | JsonType[] | undefined {
  const t = n.raw.type;
  const one = (name: unknown, where: string): JsonType => {
    if (typeof name !== "string")
      return fail(n, where, `type must be a string, got ${JSON.stringify(name)}`, "unknown-type");
    if ((JSON_TYPES as readonly string[]).includes(name)) return name as JsonType;
    const alias = hasOwn(TYPE_ALIASES, name.toLowerCase())
      ? TYPE_ALIASES[name.toLowerCase()]
      : (JSON_TYPES as readonly string[]).includes(name.toLowerCase())
        ? (name.toLowerCase() as JsonType)
        : undefined;
    if (alias) {
      note(
        n.ctx,
        "normalized-type",
        where,
        `type ${JSON.stringify(name)} is not JSON Schema; read as ${JSON.stringify(alias)}`,
      );
      return alias;
    }
    return fail(
      n,
      where,
      `unknown type ${JSON.stringify(name)} (expected one of ${JSON_TYPES.join(", ")}, or float/int/bool)`,
      "unknown-type",
    );
  };
  if (t === undefined) return undefined;
  if (Array.isArray(t)) {
    if (!t.length) fail(n, at(n, "type"), "type is an empty list", "unknown-type");
    const types = [...new Set(t.map((x, i) => one(x, at(n, "type", i))))];
    return types.length === 1 ? types[0] : types;
  }
  return one(t, at(n, "type"));
}
