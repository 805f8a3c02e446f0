import { note } from "../context.js";
import { type NormalizerRule, at } from "./node-context.js";

/**
 * The last rule: a keyword no rule reads is not JSON Schema. `handled` (the table's keywords) is read
 * when the rule runs, so the table can name this rule before its keywords are collected.
 */
export const unknownKeyword = (handled: () => ReadonlySet<string>): NormalizerRule => ({
  name: "unknown-keyword",
  keywords: [],
  apply(n) {
    for (const key of Object.keys(n.raw)) {
      if (!handled().has(key))
        note(n.ctx, "unknown-keyword", at(n, key), `keyword ${JSON.stringify(key)} is not JSON Schema and is ignored`);
    }
  },
});
