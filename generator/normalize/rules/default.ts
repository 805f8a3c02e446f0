import { type NormalizerRule, at, has } from "./node-context.js";
import { coerceToType } from "./value-types.js";

export const defaultRule: NormalizerRule = {
  name: "default",
  keywords: ["default"],
  apply(n) {
    if (has(n, "default")) n.out.default = coerceToType(n.raw.default, n.out.type, at(n, "default"), n, "default");
  },
};
