/**
 * Validators formatted at the same moment are printed by one esbuild call and taken apart again:
 * each must come out exactly as esbuild prints it alone, also when a string in it makes esbuild
 * choose a template literal (a line break esbuild did not make), and when esbuild refuses one of them.
 */
import { transform } from "esbuild";
import { describe, expect, it } from "vitest";
import { compactValidator, compileValidatorCode, formatValidator } from "../../generator/emit/validator.js";
import type { SchemaNode } from "../../generator/ir/schema-node.js";

const alone = async (code: string) =>
  (await transform(code, { loader: "js", charset: "utf8", legalComments: "none" })).code.trimEnd();

const schemaOf = (i: number): SchemaNode =>
  ({
    type: "object",
    properties: {
      [`p${i}`]: { type: "string", enum: [`a${i}`, "line\nbreak", 'quote " and `tick`'] },
      n: { type: "integer", minimum: i, maximum: 100 + i },
      list: { type: "array", items: { type: "object", properties: { x: { type: "number" } } }, maxItems: i + 1 },
    },
    required: ["n"],
  }) as SchemaNode;

describe("validators printed together", () => {
  it("come out exactly as each printed alone", async () => {
    const validators = Array.from({ length: 40 }, (_, i) => compactValidator(compileValidatorCode(schemaOf(i))));
    validators.push({
      code: "function validate10(data) {\nreturn data !== `a\n  b`;\n}",
      functionName: "validate10",
      bindings: [],
    });
    const together = await Promise.all(validators.map((v) => formatValidator(v, "../runtime/")));
    for (const [i, v] of validators.entries()) expect(together[i].code).toBe(await alone(v.code));
  });

  it("one esbuild refuses fails alone; the others print", async () => {
    const good = compactValidator(compileValidatorCode(schemaOf(1)));
    const bad = { code: "function validate10(data) { return (; }", functionName: "validate10", bindings: [] };
    const [a, b, c] = await Promise.allSettled([good, bad, good].map((v) => formatValidator(v, "../runtime/")));
    expect(a).toEqual({ status: "fulfilled", value: expect.objectContaining({ code: await alone(good.code) }) });
    expect(b.status).toBe("rejected");
    expect(c).toEqual(a);
  });
});
