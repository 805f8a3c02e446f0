/**
 * Issue 13 §2: a keyword the normalizer carries must refuse exactly what the captured schema refuses.
 * For each keyword, the generated validator (normalized, compiled, compacted, imported as shipped)
 * against ajv compiling the captured schema itself, on random JSON values and values near each
 * keyword's edges.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import Ajv07 from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import { importCompiledValidator, modelOf, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-captured-");
afterAll(tmp.cleanup);

/** keyword → [captured property schema, values near its edges]; `$schema` 2020-12 where the keyword is. */
const KEYWORDS: Record<string, [Record<string, unknown>, unknown[]]> = {
  not: [{ not: { type: "string", maxLength: 2 } }, ["", "abc", 1, null]],
  "if/then/else": [{ if: { type: "string" }, then: { minLength: 2 }, else: { type: "integer" } }, ["a", "ab", 1, 1.5]],
  propertyNames: [{ type: "object", propertyNames: { pattern: "^[a-z]+$" } }, [{ a: 1 }, { A: 1 }, {}]],
  minProperties: [{ type: "object", minProperties: 1, maxProperties: 2 }, [{}, { a: 1 }, { a: 1, b: 2, c: 3 }]],
  contains: [{ type: "array", contains: { const: 1 } }, [[], [1], [2, 1], [2]]],
  minContains: [
    {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "array",
      contains: { const: 1 },
      minContains: 2,
      maxContains: 3,
    },
    [[1], [1, 1], [1, 1, 1, 1]],
  ],
  dependentRequired: [
    { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", dependentRequired: { a: ["b"] } },
    [{ a: 1 }, { a: 1, b: 1 }, { b: 1 }],
  ],
  dependencies: [
    { type: "object", dependencies: { a: ["b"], c: { required: ["d"] } } },
    [{ a: 1 }, { c: 1 }, { c: 1, d: 1 }],
  ],
  patternProperties: [
    { type: "object", patternProperties: { "^x-": { type: "string" } }, additionalProperties: false },
    [{ "x-a": "s" }, { "x-a": 1 }, { y: 1 }],
  ],
  prefixItems: [
    {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "array",
      prefixItems: [{ type: "string" }, { type: "integer" }],
      items: false,
    },
    [[], ["a"], ["a", 1], ["a", 1, 2], [1]],
  ],
  "items (tuple)": [
    { type: "array", items: [{ type: "string" }], additionalItems: { type: "integer" } },
    [["a", 1], ["a", "b"], [1]],
  ],
  const: [{ const: { k: [1, "a"] } }, [{ k: [1, "a"] }, { k: [1] }, 1]],
  uniqueItems: [
    { type: "array", uniqueItems: true, items: { type: "object" } },
    [
      [{ a: 1 }, { a: 1 }],
      [{ a: 1 }, { a: 2 }],
      [[1], [1]],
    ],
  ],
  $ref: [
    {
      definitions: { pos: { type: "integer", minimum: 1 } },
      type: "array",
      items: { $ref: "#/properties/x/definitions/pos" },
    },
    [[1], [0], ["a"]],
  ],
  "boolean schemas": [{ type: "object", properties: { yes: true, no: false } }, [{ yes: 1 }, { no: 1 }, {}]],
  "typeless enum": [{ enum: [1, "a", null, [1]] }, [1, "a", null, [1], 2]],
  "typeless limits": [{ minLength: 2, minimum: 3 }, ["a", "ab", 2, 3, true]],
};

const oracle = (schema: Record<string, unknown>) => {
  const twenty = schema.$schema !== undefined;
  const Ajv = (
    twenty
      ? ((Ajv2020 as { default?: unknown }).default ?? Ajv2020)
      : ((Ajv07 as { default?: unknown }).default ?? Ajv07)
  ) as typeof Ajv07.default;
  return new Ajv({ strict: false, ownProperties: true }).compile(schema);
};

describe("generated validators refuse what the captured schema refuses", () => {
  it.each(Object.keys(KEYWORDS))("%s", async (keyword) => {
    const [property, edges] = KEYWORDS[keyword];
    const { $schema, ...rest } = property;
    const captured = { ...($schema ? { $schema } : {}), type: "object", properties: { x: rest } };
    const model = modelOf({ input: captured, file: "t.json", text: "" });
    const generated = await importCompiledValidator(
      model.input.schema,
      tmp.dir,
      `k${Object.keys(KEYWORDS).indexOf(keyword)}`,
    );
    const expected = oracle(captured);
    const value = fc.oneof(fc.constantFrom(...edges), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(value, (x) => {
        expect(generated({ x }), JSON.stringify(x)).toBe(expected({ x }));
      }),
      { numRuns: 200, seed: 13 },
    );
    for (const x of edges) expect(generated({ x }), JSON.stringify(x)).toBe(expected({ x }));
  });
});
