import { type NormalizerRule, at, fail, has } from "./node-context.js";

export const uniqueItems: NormalizerRule = {
  name: "unique-items",
  keywords: ["uniqueItems"],
  apply(n) {
    if (!has(n, "uniqueItems")) return;
    if (typeof n.raw.uniqueItems !== "boolean")
      fail(n, at(n, "uniqueItems"), "uniqueItems must be true or false", "schema-shape");
    n.out.uniqueItems = n.raw.uniqueItems as boolean;
  },
};
