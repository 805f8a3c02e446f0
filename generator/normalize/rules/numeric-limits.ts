import { note } from "../context.js";
import { parseNumeric } from "../rule-parser.js";
import { type NormalizerRule, at, fail, has } from "./node-context.js";

const NUMERIC_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const;
const COUNT_KEYWORDS = [
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minContains",
  "maxContains",
] as const;

export const numericLimits: NormalizerRule = {
  name: "numeric-limits",
  keywords: [...NUMERIC_KEYWORDS, ...COUNT_KEYWORDS],
  apply(n) {
    // Captured schemas sometimes write limits as strings.
    for (const key of this.keywords) {
      if (!has(n, key)) continue;
      const where = at(n, key);
      const num = parseNumeric(n.raw[key]);
      if (num === undefined) fail(n, where, `${key} must be a number, got ${JSON.stringify(n.raw[key])}`, "bad-number");
      if (typeof n.raw[key] === "string")
        note(n.ctx, "numeric-string", where, `${key} ${JSON.stringify(n.raw[key])} is a string; read as ${num}`);
      if ((COUNT_KEYWORDS as readonly string[]).includes(key) && (!Number.isInteger(num) || num! < 0))
        fail(n, where, `${key} must be a non-negative integer, got ${num}`, "bad-number");
      if (key === "multipleOf" && num! <= 0)
        fail(n, where, `multipleOf must be greater than 0, got ${num}`, "bad-number");
      (n.out as Record<string, unknown>)[key] = num;
    }
  },
};
