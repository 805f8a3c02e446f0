import { describe, expect, it } from "vitest";
import {
  commentLine,
  docText,
  jsLiteral,
  markdownCell,
  markdownCode,
  terminalText,
} from "../../generator/shared/escape.js";

const HOSTILE = [
  "*/ alert(1) /*",
  "`${process.exit(1)}`",
  '"; throw 1; "',
  "\\",
  "a\u2028b\u2029c",
  "</script><script>",
  "line\nbreak\r\n",
  "@param x evil",
];

describe("escaping", () => {
  it("jsLiteral round-trips every hostile string as a literal that executes nothing", () => {
    for (const s of HOSTILE) {
      const literal = jsLiteral({ [s]: [s] });
      expect(literal).not.toMatch(/[\u2028\u2029<`]/);
      expect(new Function(`"use strict"; return (${literal});`)()).toEqual({ [s]: [s] });
    }
  });

  it("jsLiteral keeps a __proto__ key an own property, never the prototype", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": [{"__proto__": 1}], "s": "\\"__proto__\\": x"}');
    const literal = jsLiteral(value);
    const back = new Function(`"use strict"; return (${literal});`)();
    expect(Object.keys(back)).toEqual(["__proto__", "a", "s"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back.a[0], "__proto__")).toBe(true);
    expect(back.s).toBe('"__proto__": x');
  });

  it("jsLiteral rejects values with no JSON form", () => {
    expect(() => jsLiteral({ a: Infinity })).toThrow(/non-finite/);
    expect(() => jsLiteral({ a: () => 1 })).toThrow(/not JSON/);
  });

  it("docText never closes the comment or forges a tag", () => {
    for (const s of HOSTILE) {
      const text = docText(s);
      expect(text).not.toContain("*/");
      expect(text).not.toMatch(/[\u2028\u2029\r]/);
      expect(text).not.toMatch(/@param/);
    }
  });

  it("docText escapes an @ only where it could start a tag, with an entity hovers render as @ (no zero-width space)", () => {
    expect(docText("mail user@example.com\n@param x {@link y} (@home)")).toBe(
      "mail user@example.com\n&#64;param x {&#64;link y} (@home)",
    );
    expect(docText("see @deprecated")).toBe("see &#64;deprecated");
    expect(docText("a @ b")).not.toMatch(/\u200b/);
  });

  it("commentLine stays on one line", () => {
    expect(commentLine("a\nb\u2028c\rd")).toBe("a b c d");
  });

  it("markdownCell stays in its cell and renders no HTML", () => {
    expect(markdownCell("a|b\n<script>`x`")).toBe("a\\|b &lt;script&gt;\\`x\\`");
    expect(markdownCode("a`b")).toBe("``a`b``");
  });
});

describe("terminalText", () => {
  it("escapes every C0 but tab and newline, DEL and every C1; leaves other text alone", () => {
    for (let code = 0; code <= 0xa0; code++) {
      const c = String.fromCharCode(code);
      const kept = c === "\t" || c === "\n" || (code >= 0x20 && code < 0x7f) || code === 0xa0;
      expect(terminalText(c)).toBe(kept ? c : `\\u${code.toString(16).padStart(4, "0")}`);
    }
    expect(terminalText("naïve — 日本 🎨")).toBe("naïve — 日本 🎨");
  });
});
