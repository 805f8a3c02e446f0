/** Synthesized usage examples: every one validates against its model's own validator. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileModel } from "../../generator/compile.js";
import { synthesizeExample } from "../../generator/model/example.js";
import { validatorView } from "../../generator/shared/ajv.js";
import { AjvClass } from "../../generator/shared/ajv.js";
import { formats } from "../../generator/runtime/validation/formats.js";
import { readFileSync } from "node:fs";
import type { SchemaNode } from "../../generator/ir/schema-node.js";
import { ROOT, SCHEMAS, buildModels, schemasWithQuirks, tempDir } from "../helpers.js";
import { afterAll } from "vitest";

const tmp = tempDir("rcg-example-");
afterAll(tmp.cleanup);

const ajv = new AjvClass({ allErrors: true, strict: false });
for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);

async function modelOf(inputSchema: object) {
  const analysis = await compileModel(
    {
      file: "schemas/acme/m.json",
      relPath: "acme/m.json",
      text: JSON.stringify({ model_id: "acme/m", input_schema: inputSchema }),
    },
    { emit: false },
  );
  if (!analysis.model) throw new Error(analysis.errors.join("\n"));
  return analysis.model;
}

const validates = (schema: object, value: unknown) => {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : validate.errors;
};

describe("synthesized usage examples", () => {
  const shapes: Record<string, object> = {
    media: {
      type: "object",
      required: ["image_url", "clips", "voice"],
      properties: {
        image_url: { type: "string", format: "image_uri" },
        clips: { type: "array", format: "video_uris", minItems: 2, uniqueItems: true },
        voice: { type: "string", format: "audio_uri" },
      },
    },
    limits: {
      type: "object",
      required: ["prompt", "steps", "scale", "seed", "ratio"],
      properties: {
        prompt: { type: "string", minLength: 20, maxLength: 30 },
        steps: { type: "integer", exclusiveMinimum: 4, multipleOf: 5 },
        scale: { type: "number", maximum: 0.5 },
        seed: { type: "integer", default: 42 },
        ratio: { type: "string", enum: ["16:9", "1:1"] },
      },
    },
    nested: {
      type: "object",
      required: ["lora"],
      properties: {
        lora: {
          type: "object",
          required: ["path", "weight"],
          properties: { path: { type: "string", format: "uri" }, weight: { type: "number", minimum: 0.1 } },
        },
        optional: { type: "string" },
      },
    },
    union: {
      type: "object",
      required: ["size"],
      properties: {
        size: {
          anyOf: [
            { type: "integer", minimum: 64 },
            { type: "string", enum: ["auto"] },
          ],
        },
      },
    },
  };
  for (const [name, schema] of Object.entries(shapes)) {
    it(`${name}: only the required inputs, and valid`, async () => {
      const model = await modelOf(schema);
      expect(model.usage.synthesized).toBe(true);
      expect(Object.keys(model.usage.input)).toEqual((schema as { required: string[] }).required);
      expect(validates(validatorView(model.input.schema), model.usage.input)).toEqual([]);
    });
  }

  it("media inputs get a placeholder https URL of their kind", async () => {
    expect(synthesizeExample((await modelOf(shapes.media)).input.schema)).toEqual({
      image_url: "https://example.com/image.png",
      clips: ["https://example.com/video.mp4", "https://example.com/video-1.mp4"],
      voice: "https://example.com/audio.mp3",
    });
  });

  it("every model of the seeds and the fixtures has examples that validate and send no empty required string", async () => {
    const { models: seeds } = await buildModels(schemasWithQuirks(tmp.dir));
    const { models: golden } = await buildModels(path.join(ROOT, "test/fixtures/golden"));
    const models = [...seeds, ...golden];
    expect(models.map((m) => m.modelId)).toEqual([
      "acme/quirky/all-quirks",
      "bytedance/dreamina-3-0/pro/image-to-video",
      "bytedance/dreamina-3-0/pro/text-to-video",
      "bytedance/dreamina-4-0/edit",
      "bytedance/seedance-1-0/lite/image-to-video",
      "acme/golden/image-edit",
      "acme/golden/page-quirks",
      "acme/golden/text-tags",
      "acme/golden/video-nested",
    ]);
    for (const m of models) {
      const name = path.basename(m.sourcePath);
      for (const example of [m.usage.input, ...(m.example ? [m.example] : [])]) {
        expect(validates(validatorView(m.input.schema), example), name).toEqual([]);
        expect(emptyRequiredStrings(m.input.schema, example), name).toEqual([]);
      }
    }
  });

  it('a required string whose default is "" (the catalog\'s prompts) gets a readable placeholder', async () => {
    const model = await modelOf({
      type: "object",
      required: ["prompt", "negative_prompt", "style", "image_url"],
      properties: {
        prompt: { type: "string", default: "" },
        negative_prompt: { type: "string", default: "", maxLength: 10 },
        style: { type: "string", enum: ["", "anime"], default: "" },
        image_url: { type: "string", format: "image_uri", default: "" },
      },
    });
    expect(model.usage.input).toEqual({
      prompt: "example prompt",
      negative_prompt: "example ne",
      style: "anime",
      image_url: "https://example.com/image.png",
    });
  });

  it("a file's example that leaves required inputs empty (a docs page's blanks) shows placeholders there", async () => {
    const model = (
      await compileModel(
        {
          file: "schemas/acme/m.json",
          relPath: "acme/m.json",
          text: readFileSync(path.join(SCHEMAS, "bytedance/seedance-1-0/lite/image-to-video.json"), "utf8").replace(
            '"model_id": "bytedance/seedance-1-0/lite/image-to-video"',
            '"model_id": "acme/m"',
          ),
        },
        { emit: false },
      )
    ).model!;
    expect(model.usage).toEqual({
      input: { prompt: "example prompt", first_frame_image_url: "https://example.com/image.png" },
      synthesized: false,
      filled: ["/prompt", "/first_frame_image_url"],
    });
    expect(model.example).toEqual(model.usage.input);
  });
});

/** JSON pointers of "" at required places (required properties, list items) of a value, by its schema. */
function emptyRequiredStrings(node: SchemaNode, value: unknown, pointer = "", required = true): string[] {
  if (value === "" && required) return [pointer];
  if (Array.isArray(value) && node.items)
    return value.flatMap((v, i) => emptyRequiredStrings(node.items!, v, `${pointer}/${i}`, true));
  if (value === null || typeof value !== "object" || !node.properties) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    node.properties && Object.hasOwn(node.properties, k)
      ? emptyRequiredStrings(node.properties[k], v, `${pointer}/${k}`, !!node.required?.includes(k))
      : [],
  );
}
