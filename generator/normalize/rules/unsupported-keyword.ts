import { type NormalizerRule, at, fail, has } from "./node-context.js";

export const unsupportedKeyword: NormalizerRule = {
  name: "unsupported-keyword",
  keywords: ["$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary"],
  apply(n) {
    for (const key of this.keywords)
      if (has(n, key))
        fail(
          n,
          at(n, key),
          `${key} is not supported: refer to definitions with a local "$ref": "#/definitions/<name>"`,
          "unsupported-keyword",
        );
    if (has(n, "$id") && n.pointer !== n.ctx.rootPointer)
      fail(
        n,
        at(n, "$id"),
        "$id inside a schema is not supported: it changes what every $ref below means; remove it",
        "unsupported-keyword",
      );
  },
};
