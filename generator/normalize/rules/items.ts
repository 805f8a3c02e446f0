import { joinPointer } from "../../runtime/json-pointer.js";
import { note } from "../context.js";
import { isPlainObject } from "../../ir/schema-node.js";
import { type NodeContext, type NormalizerRule, at, below, boolOrSchema, fail, has, hasType } from "./node-context.js";

export const items: NormalizerRule = {
  name: "items",
  keywords: ["items", "additionalItems", "prefixItems", "contains", "unevaluatedItems"],
  apply(n) {
    normalizeItems(n);
    if (has(n, "contains")) n.out.contains = n.child(n.raw.contains, at(n, "contains"), null);
    if (has(n, "unevaluatedItems")) n.out.unevaluatedItems = boolOrSchema(n, "unevaluatedItems", null);
  },
};

/** `items` (a schema, or draft-07's tuple array with `additionalItems`) and `prefixItems`, in 2020-12 form. */
function normalizeItems(n: NodeContext): void {
  const { raw, out } = n;
  const tupleForm = Array.isArray(raw.items);
  if (has(n, "prefixItems") && tupleForm)
    fail(n, at(n, "items"), "items is a list beside prefixItems: use one tuple form", "schema-shape");
  const tuple = tupleForm
    ? { key: "items", rest: "additionalItems" }
    : has(n, "prefixItems")
      ? { key: "prefixItems", rest: "items" }
      : undefined;
  if (tuple) {
    const list = raw[tuple.key];
    if (!Array.isArray(list))
      return void fail(n, at(n, tuple.key), `${tuple.key} must be an array of schemas`, "schema-shape");
    out.prefixItems = list.map((s, i) => n.child(s, at(n, tuple.key, i), null));
    if (has(n, tuple.rest)) out.items = n.child(raw[tuple.rest], at(n, tuple.rest), below(n, "*"));
    return;
  }
  if (has(n, "additionalItems"))
    note(
      n.ctx,
      "additional-items-ignored",
      at(n, "additionalItems"),
      "additionalItems applies only after a tuple `items` list; here it has no effect",
    );
  if (has(n, "items")) {
    const where = at(n, "items");
    const itemsRaw = typeof raw.items === "boolean" ? raw.items : { ...(raw.items as Record<string, unknown>) };
    if (n.itemsFormat && isPlainObject(itemsRaw) && itemsRaw.format === undefined) itemsRaw.format = n.itemsFormat;
    out.items = n.child(itemsRaw, where, below(n, "*"));
    if (
      n.itemsFormat &&
      isPlainObject(itemsRaw) &&
      out.items.format !== n.itemsFormat &&
      !(out.items.format === undefined && out["x-media"])
    ) {
      fail(
        n,
        joinPointer(where, "format"),
        `items format ${JSON.stringify(out.items.format)} conflicts with the array's format ${JSON.stringify(raw.format)}`,
        "bad-format",
      );
    }
    if (out["x-media"] && !out.items["x-media"] && isPlainObject(itemsRaw)) out.items["x-media"] = out["x-media"];
  } else if (hasType(out.type, "array") && n.itemsFormat) {
    out.items = { type: "string", format: n.itemsFormat };
    if (out["x-media"]) out.items["x-media"] = out["x-media"];
    note(
      n.ctx,
      "items-from-format",
      n.pointer,
      `array without items: each item is a string of format ${JSON.stringify(n.itemsFormat)}`,
    );
  }
}
