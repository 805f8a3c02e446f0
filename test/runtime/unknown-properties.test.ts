/**
 * Unknown properties: captured schemas lag the service, so a key the schema does not declare is a
 * warning by default (valid stays true), an error or nothing on request; a schema that closes an
 * object itself (`additionalProperties: false`) keeps refusing extra keys.
 */
import { describe, expect, it } from "vitest";
import { AjvClass } from "../../generator/shared/ajv.js";
import { validatorView } from "../../generator/shared/ajv.js";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import { validateSchema, type ModelDefinition } from "../../generator/runtime/validation/validate.js";

function definition(schema: Record<string, unknown>): ModelDefinition {
  const normalized = normalizeInputSchema(schema, "schemas/t/m.json");
  const ajv = new AjvClass({ allErrors: true, strict: false, ownProperties: true });
  return {
    modelId: "t/m",
    validator: ajv.compile(validatorView(normalized.schema)),
    ruleTargets: [],
    knownProperties: normalized.knownProperties,
  };
}

const schema = {
  type: "object",
  required: ["prompt"],
  properties: {
    prompt: { type: "string" },
    loras: { type: "array", items: { type: "object", properties: { path: { type: "string" } } } },
    choice: {
      anyOf: [
        { type: "object", properties: { a: { type: "integer" } } },
        { type: "object", properties: { b: { type: "integer" } } },
      ],
    },
    closed: { type: "object", properties: { x: { type: "integer" } }, additionalProperties: false },
    open: { type: "object", properties: { x: { type: "integer" } }, additionalProperties: { type: "string" } },
  },
};

describe("unknown properties", () => {
  const def = definition(schema);
  const input = {
    prompt: "a cat",
    keyframes: [1],
    loras: [{ path: "p", scale: 1 }],
    choice: { a: 1, b: 2, c: 3 },
    open: { y: "s" },
  };

  it("are warnings by default, at every depth: the input stays valid", () => {
    const result = validateSchema(def, input);
    expect(result.valid).toBe(true);
    expect(result.issues.map((i) => [i.path, i.severity, i.keyword])).toEqual([
      ["/loras/0/scale", "warning", "unknownProperty"],
      ["/choice/c", "warning", "unknownProperty"],
      ["/keyframes", "warning", "unknownProperty"],
    ]);
  });

  it('are errors with unknownProperties: "error", and not reported with "ignore"', () => {
    const strict = validateSchema(def, input, { unknownProperties: "error" });
    expect(strict.valid).toBe(false);
    expect(strict.issues.map((i) => [i.path, i.severity, i.keyword])).toEqual([
      ["/loras/0/scale", "error", "unknownProperty"],
      ["/choice/c", "error", "unknownProperty"],
      ["/keyframes", "error", "unknownProperty"],
    ]);
    expect(validateSchema(def, input, { unknownProperties: "ignore" })).toEqual({ valid: true, issues: [] });
    expect(() => validateSchema(def, input, { unknownProperties: "loud" as never })).toThrow(
      /unknownProperties must be/,
    );
  });

  it("stay errors where the schema itself declares additionalProperties: false", () => {
    const result = validateSchema(def, { prompt: "p", closed: { x: 1, y: 2 } }, { unknownProperties: "ignore" });
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => [i.path, i.keyword])).toEqual([["/closed/y", "additionalProperties"]]);
  });

  it("never include inherited names: an input without toString is not missing it", () => {
    const d = definition({
      type: "object",
      properties: { toString: { type: "string" }, constructor: { type: "integer" } },
      required: ["constructor"],
    });
    expect(validateSchema(d, { constructor: 1 }).valid).toBe(true);
    expect(validateSchema(d, {}).valid).toBe(false);
  });
});
