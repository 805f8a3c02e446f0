/**
 * The runtime's stand-ins for ajv's own helpers (runtime/ajv-runtime.ts), against ajv's as the oracle:
 * maxLength/minLength count code points exactly as ajv does, whatever mix of surrogates a string holds.
 */
import fc from "fast-check";
import ajvUcs2lengthModule from "ajv/dist/runtime/ucs2length.js";
import { describe, expect, it } from "vitest";
import { ucs2length } from "../../generator/runtime/validation/ajv-runtime.js";

const ajvUcs2length = ((ajvUcs2lengthModule as { default?: unknown }).default ?? ajvUcs2lengthModule) as (
  s: string,
) => number;

/** UTF-16 units that matter to the count: pairs, lone high and low surrogates, one- and two-byte characters. */
const unit = fc.constantFrom("a", " ", "é", "≈", "\u{1F600}", "\uD83D", "\uDE00", "\uDBFF", "\uDC00", "\uFFFF");

describe("ucs2length", () => {
  it("counts as ajv's ucs2length on strings of every length, with and without surrogates", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 20 }), fc.string({ unit, minLength: 20, maxLength: 900 })),
        (s) => {
          expect(ucs2length(s)).toBe(ajvUcs2length(s));
        },
      ),
      { numRuns: 2000, seed: 15 },
    );
  });
  it("counts a pair once and a lone surrogate once, short and long", () => {
    for (const pad of ["", "x".repeat(40)]) {
      expect(ucs2length(`${pad}\u{1F600}`)).toBe(pad.length + 1);
      expect(ucs2length(`${pad}\uD83D`)).toBe(pad.length + 1);
      expect(ucs2length(`\uDE00${pad}\uD83D\uDE00\uDE00`)).toBe(pad.length + 3);
      expect(ucs2length(`${pad}\uD83D\uD83D\uDE00`)).toBe(pad.length + 2);
    }
    expect(ucs2length("")).toBe(0);
  });
});
