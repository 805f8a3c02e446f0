import { type NodeContext, type NormalizerRule, at, fail, has } from "./node-context.js";

export const pattern: NormalizerRule = {
  name: "pattern",
  keywords: ["pattern"],
  apply(n) {
    if (!has(n, "pattern")) return;
    n.out.pattern = checkPattern(n, n.raw.pattern, at(n, "pattern"));
  },
};

/** A pattern (of `pattern` or a `patternProperties` key) as a string that compiles with the `u` flag. */
export function checkPattern(n: NodeContext, pattern: unknown, where: string): string {
  if (typeof pattern !== "string") return fail(n, where, "pattern must be a string", "bad-pattern");
  try {
    new RegExp(pattern, "u");
  } catch (e) {
    fail(n, where, `pattern is not a valid regular expression: ${(e as Error).message}`, "bad-pattern");
  }
  return pattern;
}
