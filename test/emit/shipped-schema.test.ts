/**
 * The schema copy a model module ships (`inputSchema`): the parsed `validations` rules are left out
 * (they ship once, as `ruleTargets`), and nothing else is: a property, a definition or a default's key
 * named `x-rules` is data and stays, so no `$ref` is left dangling.
 */
import { describe, expect, it } from "vitest";
import { emitModelFiles } from "../../generator/emit/package.js";
import { modelOf } from "../helpers.js";

/** The `inputSchema` literal of a model module (the escaping helper writes JSON with `\u003c`-style escapes). */
function shippedInputSchema(moduleText: string): Record<string, unknown> {
  const m = /^export const inputSchema = ([\s\S]*?);\n\n/m.exec(moduleText);
  if (!m) throw new Error("no inputSchema in the module");
  return JSON.parse(m[1]);
}

describe("the shipped input schema", () => {
  it("drops the parsed rules, keeps a property, a definition and a default key named x-rules", async () => {
    const model = modelOf({
      input: {
        type: "object",
        definitions: { "x-rules": { type: "string", minLength: 1 } },
        properties: {
          "x-rules": { $ref: "#/definitions/x-rules" },
          image_url: { type: "string", format: "image_uri", validations: ["width <= 4096"] },
          options: { type: "object", default: { "x-rules": 1 } },
        },
      },
    });
    // The normalizer's parsed rules are on the node; the shipped copy must not carry them.
    expect(model.input.schema.properties?.image_url["x-rules"]).toBeDefined();
    const files = await emitModelFiles(model);
    const schema = shippedInputSchema(files.get("models/t/m.js")!);
    expect(schema.definitions).toEqual({ "x-rules": { type: "string", minLength: 1 } });
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props["x-rules"]).toEqual({ $ref: "#/definitions/x-rules" });
    expect(props.options.default).toEqual({ "x-rules": 1 });
    expect(props.image_url).not.toHaveProperty("x-rules");
    expect(props.image_url["x-media"]).toBe("image");
  });
});
