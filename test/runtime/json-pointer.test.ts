import { describe, expect, it } from "vitest";
import {
  decodePointerToken,
  encodePointerToken,
  joinPointer,
  splitPointer,
} from "../../generator/runtime/json-pointer.js";

// RFC 6901 §5: the example document and what each pointer evaluates to.
const doc: Record<string, unknown> = {
  foo: ["bar", "baz"],
  "": 0,
  "a/b": 1,
  "c%d": 2,
  "e^f": 3,
  "g|h": 4,
  "i\\j": 5,
  'k"l': 6,
  " ": 7,
  "m~n": 8,
};
const rfcExamples: [string, unknown][] = [
  ["", doc],
  ["/foo", ["bar", "baz"]],
  ["/foo/0", "bar"],
  ["/", 0],
  ["/a~1b", 1],
  ["/c%d", 2],
  ["/e^f", 3],
  ["/g|h", 4],
  ["/i\\j", 5],
  ['/k"l', 6],
  ["/ ", 7],
  ["/m~0n", 8],
];
const evaluate = (pointer: string) =>
  splitPointer(pointer).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);

describe("JSON pointer (RFC 6901)", () => {
  it.each(rfcExamples)("%j evaluates as the RFC says, and joins back to itself", (pointer, want) => {
    expect(evaluate(pointer)).toEqual(want);
    expect(joinPointer("", ...splitPointer(pointer))).toBe(pointer);
  });

  it("escapes ~ before / and unescapes ~1 before ~0 (so ~01 is the key ~1, not /)", () => {
    expect(encodePointerToken("~1")).toBe("~01");
    expect(decodePointerToken("~01")).toBe("~1");
    expect(encodePointerToken("a/~b")).toBe("a~1~0b");
    expect(joinPointer("/x", "a/b", 0)).toBe("/x/a~1b/0");
  });

  it("refuses a string that is not a pointer", () => {
    expect(() => splitPointer("foo")).toThrow(/not a JSON pointer/);
  });
});
