import { type NormalizerRule, at, has, listOfSchemas } from "./node-context.js";

export const combinators: NormalizerRule = {
  name: "combinators",
  keywords: ["anyOf", "oneOf", "allOf", "not", "if", "then", "else"],
  apply(n) {
    for (const key of ["anyOf", "oneOf", "allOf"] as const) {
      if (has(n, key)) n.out[key] = listOfSchemas(n, key).map((s, i) => n.child(s, at(n, key, i), n.dataPath));
    }
    if (has(n, "not")) n.out.not = n.child(n.raw.not, at(n, "not"), null);
    for (const key of ["if", "then", "else"] as const)
      if (has(n, key)) n.out[key] = n.child(n.raw[key], at(n, key), n.dataPath);
  },
};
