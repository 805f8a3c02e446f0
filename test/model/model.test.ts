/** The intermediate model is plain data built from what the normalizer returned; it normalizes nothing itself. */
import { describe, expect, it } from "vitest";
import { buildModel } from "../../generator/model/model.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../../generator/normalize/normalize.js";
import { QUIRKS } from "../helpers.js";
import { buildModels } from "../helpers.js";

describe("the intermediate model", () => {
  it("holds the normalized schemas it is given, as they are", () => {
    const raw = { type: "object", properties: { seed: { type: "float" } } };
    const input = normalizeInputSchema(raw, "schemas/t/m.json");
    const output = normalizeOutputSchema(null, "schemas/t/m.json");
    const file = {
      file: "schemas/t/m.json",
      relPath: "t/m.json",
      text: JSON.stringify(raw),
      modelId: "t/m",
      inputSchema: raw,
      outputSchema: null,
      example: null,
      source: null,
      positions: new Map(),
    };
    const model = buildModel(file, "schemas", input, output);
    expect(model.input).toBe(input);
    expect(model.output).toBe(output);
    expect(model.ruleTargets).toBe(input.ruleTargets);
    expect(model.notes).toEqual([...input.notes, ...output.notes]);
  });

  it("is plain data: no functions, no doc text, a JSON round trip gives it back", async () => {
    const { models } = await buildModels(QUIRKS);
    expect(models.map((m) => m.modelId)).toEqual(["acme/quirky/all-quirks"]);
    const [model] = models;
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(Object.keys(model).sort()).toEqual([
      "example",
      "exportPath",
      "input",
      "modelId",
      "modulePath",
      "notes",
      "output",
      "pricing",
      "ruleTargets",
      "sourceHash",
      "sourcePath",
      "usage",
    ]);
  });
});
