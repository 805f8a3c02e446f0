import { isPlainObject } from "../../ir/schema-node.js";
import { type NormalizerRule, fail } from "./node-context.js";

export const booleanSchema: NormalizerRule = {
  name: "boolean-schema",
  keywords: [],
  apply(n) {
    // `true` accepts anything, `false` nothing: as objects, so every consumer sees one shape.
    if (typeof n.raw === "boolean") {
      n.out = n.raw ? {} : { not: {} };
      n.done = true;
    } else if (!isPlainObject(n.raw)) fail(n, n.pointer, "a schema must be an object or a boolean", "schema-shape");
  },
};
