/**
 * A seeded generator of model schema files shaped like the seed models: their quirks (`float`,
 * numeric strings, `width×height` keys, media formats, `≤`/`≥` rules), nested objects, arrays of
 * objects, many `validations` rules and long descriptions.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { seededRandom } from "../generator/mock/faults.js";
import { findSchemaFilesSync } from "./fs-util.js";

const WORDS =
  "slow sweeping tracking shot vintage street golden hour glow lens flares dance sunlight filters historic buildings classic car glides smoothly polished surface reflecting warm hues pedestrians nostalgic cinematic atmosphere".split(
    " ",
  );

export function generateCorpus(seedsDir: string, outDir: string, count: number, seed = 42): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ") + ".";
  const seeds = findSchemaFilesSync(seedsDir).map((f) => JSON.parse(readFileSync(f, "utf8")));
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = structuredClone(pick(seeds));
    const id = `bench-vendor-${i % 37}/model-${i}/v${int(1, 4)}/${pick(["image-to-video", "text-to-video", "edit", "text-to-image"])}`;
    const props = base.input_schema.properties;
    for (const key of Object.keys(props))
      if (typeof props[key].description === "string") props[key].description = sentence(int(5, 60));
    props.guidance_scale = {
      title: "Guidance",
      description: sentence(int(10, 40)),
      type: "float",
      minimum: "0",
      maximum: "20",
      default: "7.5",
    };
    props["width×height"] = {
      title: "Size",
      type: "string",
      enum: ["1024×1024(1:1)", "1920×1088(16:9)", "1088×1920(9:16)"],
      default: "1024×1024(1:1)",
    };
    props.reference_images = {
      type: "array",
      format: "image_uris",
      maxItems: int(2, 8),
      validations: Array.from({ length: int(4, 10) }, (_, k) =>
        pick([
          { validation_rule: "file_size_mb<", validation_value: int(5, 30), validation_error: "File too large." },
          {
            validation_rule: "width_pixels≤",
            validation_value: String(int(2000, 8000)),
            validation_error: "Too wide.",
          },
          { validation_rule: "height_pixels>=", validation_value: int(64, 512), validation_error: "Too small." },
          { validation_rule: "width/height<", validation_value: 3, validation_error: `Ratio ${k}.` },
          { validation_rule: "width/height>", validation_value: "0.33", validation_error: `Ratio ${k}.` },
        ]),
      ),
    };
    props.advanced = {
      type: "object",
      properties: {
        steps: { type: "integer", minimum: 1, maximum: int(30, 100), default: 30 },
        sampler: { type: "string", enum: ["euler", "dpmpp_2m", "ddim"] },
        loras: {
          type: "array",
          maxItems: 3,
          items: {
            type: "object",
            required: ["path"],
            properties: { path: { type: "string", format: "uri" }, scale: { type: "float", default: 1 } },
          },
        },
      },
    };
    if (random() < 0.3)
      base.output_schema = {
        output: {
          type: "object",
          properties: {
            video: { type: "string", format: "uri" },
            seed: { type: "integer" },
            timings: { type: "object", properties: { inference: { type: "number" } } },
          },
        },
      };
    base.model_id = id;
    const file = path.join(outDir, ...id.split("/")) + ".json";
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(base, null, 2) + "\n");
    written.push(file);
  }
  return written;
}
