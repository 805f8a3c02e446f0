import { joinPointer } from "../../runtime/json-pointer.js";
import { note } from "../context.js";
import { type NormalizerRule, at, fail, has } from "./node-context.js";
import { checkValueType, coerceToType } from "./value-types.js";

export const enumRule: NormalizerRule = {
  name: "enum",
  keywords: ["enum"],
  apply(n) {
    if (!has(n, "enum")) return;
    const where = at(n, "enum");
    if (!Array.isArray(n.raw.enum) || n.raw.enum.length === 0)
      return fail(n, where, "enum must be a non-empty array", "bad-enum");
    const values = n.raw.enum.map((v, i) => coerceToType(v, n.out.type, joinPointer(where, i), n, "enum value"));
    // Duplicates mean nothing in JSON Schema but make validators refuse the schema: keep the first.
    const seen = new Set<string>();
    n.out.enum = values.filter((v, i) => {
      const key = JSON.stringify(v);
      if (seen.has(key)) {
        note(
          n.ctx,
          "duplicate-enum",
          joinPointer(where, i),
          `enum value ${key} is listed twice; the duplicate is ignored — remove it`,
        );
        return false;
      }
      seen.add(key);
      checkValueType(n, v, joinPointer(where, i), "enum value");
      return true;
    });
  },
};
