/** The emitted TypeScript types: what is required in the validator is required in the type, at every depth. */
import { describe, expect, it } from "vitest";
import { emitTypes } from "../../generator/emit/types.js";
import { buildModel } from "../../generator/model/model.js";

/** The `.d.ts` text of a model whose input schema is `input`. */
export async function typesOf(input: Record<string, unknown>): Promise<string> {
  const model = buildModel({ file: "schemas/t/m.json", relPath: "t/m.json", text: JSON.stringify(input), modelId: "t/m", inputSchema: input, outputSchema: null, example: null, source: null, positions: new Map() });
  return emitTypes(model);
}

describe("types", () => {
  it("required names its own properties, not a nested property of the same name", async () => {
    const input = {
      type: "object",
      required: ["settings"],
      properties: {
        settings: { type: "object", properties: { settings: { type: "string" }, mode: { type: "string" } }, required: ["mode"] },
        other: { type: "object", properties: { settings: { type: "integer" } } },
      },
    };
    const code = await typesOf(input);
    const lines = code.split("\n").map((l) => l.trim());
    expect(lines).toContain("settings: {");
    expect(lines).toContain("settings?: string");
    expect(lines).toContain("mode: string");
    expect(lines).toContain("settings?: number");
    expect(lines).toContain("other?: {");
  });
});
