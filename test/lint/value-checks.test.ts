/**
 * The example request body is checked by the model's own input validator (the one the package ships,
 * compiled once for lint and emit), and defaults by their subschema: each reports what the runtime
 * would say about that input, in the runtime's words, at the example's or the default's pointer.
 */
import { describe, expect, it } from "vitest";
import { compileInputValidator } from "../../generator/shared/ajv.js";
import { checkSchemas } from "../../generator/lint/checks.js";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import type { Note } from "../../generator/shared/notes.js";

const schemaOf = (properties: Record<string, unknown>, required: string[] = []) =>
  normalizeInputSchema({ type: "object", properties, required }, "acme/m.json").schema;

const check = (properties: Record<string, unknown>, example: unknown, required: string[] = []) =>
  checkSchemas({ input: { schema: schemaOf(properties, required), pointer: "/input_schema", raw: {} }, example });

const brief = (notes: Note[]) => notes.map((n) => [n.code, n.pointer, n.message]);

describe("the example check", () => {
  const props = {
    prompt: { type: "string", maxLength: 5 },
    mode: { type: "string", enum: ["fast", "slow"] },
    image_url: { type: "string", format: "image_uri" },
  };

  it("a valid example has no note", () => {
    expect(check(props, { prompt: "cat", mode: "fast", image_url: "https://example.com/a.png" }, ["prompt"])).toEqual(
      [],
    );
  });

  it("reports every problem at its place in the example, in the runtime's words", () => {
    expect(brief(check(props, { prompt: "far too long", mode: "medium" }, ["prompt", "image_url"]))).toEqual([
      ["example-invalid", "/example", "the example request body is invalid: /image_url is required"],
      [
        "example-invalid",
        "/example/prompt",
        "the example request body is invalid: /prompt must have at most 5 characters",
      ],
      ["example-invalid", "/example/mode", 'the example request body is invalid: /mode must be one of "fast", "slow"'],
    ]);
  });

  it("checks formats with the runtime's checks, as the shipped validator does (not the code's stand-ins)", () => {
    expect(brief(check(props, { prompt: "cat", image_url: "ftp://example.com/a.png" }))).toEqual([
      [
        "example-invalid",
        "/example/image_url",
        "the example request body is invalid: /image_url must be a public https URL of an image",
      ],
    ]);
    expect(check(props, { prompt: "cat", image_url: "data:image/png;base64,iVBORw0KGgo=" })).toEqual([]);
  });

  it("uses the compile that emit prints, so a model's input schema is compiled once", () => {
    const schema = schemaOf(props);
    const compiled = compileInputValidator(schema);
    checkSchemas({ input: { schema, pointer: "/input_schema", raw: {} }, example: { prompt: 3 } });
    expect(compileInputValidator(schema)).toBe(compiled);
    expect(compiled.validate({ prompt: 3 })).toBe(false);
  });
});

describe("the default check", () => {
  it("reports a default its own schema refuses, in the runtime's words, as a warning, and drops it", () => {
    const schema = schemaOf({
      steps: { type: "integer", minimum: 1, maximum: 50, default: 80 },
      mode: { type: "string", enum: ["fast", "slow"], default: "medium" },
      ok: { type: "string", default: "fine" },
    });
    const notes = checkSchemas({ input: { schema, pointer: "/input_schema", raw: {} }, example: undefined });
    expect(notes.map((n) => [n.code, n.severity, n.pointer, n.message])).toEqual([
      [
        "default-invalid",
        "warning",
        "/input_schema/properties/steps/default",
        "the default 80 violates its own schema: value must be <= 50; it is left out of the types, docs and examples",
      ],
      [
        "default-invalid",
        "warning",
        "/input_schema/properties/mode/default",
        'the default "medium" violates its own schema: value must be one of "fast", "slow"; it is left out of the types, docs and examples',
      ],
    ]);
    // Nothing downstream (types, docs, examples, the exported schema) offers what the validator refuses.
    expect(schema.properties?.steps.default).toBeUndefined();
    expect(schema.properties?.mode.default).toBeUndefined();
    expect(schema.properties?.ok.default).toBe("fine");
  });
});

describe("the example's blanks", () => {
  it('"" at a required input is the docs\' blank: checked filled, as the docs show it, with an info note', () => {
    const props = {
      prompt: { type: "string" },
      first_frame_image_url: { type: "string", format: "image_uri" },
      last_frame_image_url: { type: "string", format: "image_uri" },
    };
    const notes = check(props, { prompt: "", first_frame_image_url: "", last_frame_image_url: "" }, [
      "prompt",
      "first_frame_image_url",
    ]);
    expect(notes.map((n) => [n.code, n.severity, n.pointer])).toEqual([
      ["example-blank", "info", "/example/prompt"],
      ["example-blank", "info", "/example/first_frame_image_url"],
    ]);
  });
});
