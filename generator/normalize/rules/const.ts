import { type NormalizerRule, at, has } from "./node-context.js";
import { checkValueType, coerceToType } from "./value-types.js";

export const constRule: NormalizerRule = {
  name: "const",
  keywords: ["const"],
  apply(n) {
    if (!has(n, "const")) return;
    n.out.const = coerceToType(n.raw.const, n.out.type, at(n, "const"), n, "const");
    checkValueType(n, n.out.const, at(n, "const"), "const");
  },
};
