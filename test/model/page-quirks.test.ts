/**
 * RunComfy's pages as they are (test/fixtures/golden/acme/golden/page-quirks.json gathers them): a
 * default that does not fit its own input, a required name that is no property, a prompt whose
 * default is "", optional media inputs, a length in milliseconds. The model generates; each quirk
 * is a warning at its pointer and reaches the types, validator, docs page and example as stated.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitModelFiles } from "../../generator/emit/package.js";
import { compileModel } from "../../generator/compile.js";
import { estimateCostFor } from "../../generator/runtime/pricing/pricing.js";
import { ROOT, importCompiledValidator, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-page-quirks-");
afterAll(tmp.cleanup);

const relPath = "acme/golden/page-quirks.json";
const text = readFileSync(path.join(ROOT, "test/fixtures/golden", relPath), "utf8");
const analysis = () => compileModel({ file: `schemas/${relPath}`, relPath, text }, { emit: false });

describe("a docs page's quirks", () => {
  it("generates, with a warning at each quirk's pointer (the same analysis lint and generate run)", async () => {
    const a = await analysis();
    expect(a.model).toBeDefined();
    expect(a.notes.filter((n) => n.severity !== "info").map((n) => [n.severity, n.code, n.pointer])).toEqual([
      ["warning", "required-missing-property", "/input_schema/required/1"],
      ["warning", "default-invalid", "/input_schema/properties/118_image/default"],
    ]);
  });

  it("a required name that is no property is not required in the types or by the validator", async () => {
    const model = (await analysis()).model!;
    expect(model.input.schema.required).toEqual(["prompt", "118_image"]);
    const files = await emitModelFiles(model);
    const types = files.get("models/acme/golden/page-quirks.d.ts")!;
    // Kept as an optional input of unknown type: an input built from the page's list typechecks too.
    expect(types).toMatch(/\n {2}image_urls\?: unknown;\n/);
    expect(types).toMatch(/\n {2}"118_image": string;\n/);
    expect(types).toMatch(/\n {2}images\?: string\[\];\n/);
    const validator = await importCompiledValidator(model.input.schema, tmp.dir, "page-quirks");
    const input = { prompt: "a cat", "118_image": "https://example.com/a.png", images: ["https://example.com/b.png"] };
    expect(validator(input)).toBe(true);
    expect(validator({ ...input, image_urls: ["https://example.com/b.png"] })).toBe(true);
  });

  it("the docs page says so, and leaves the bad default out of the table, the JSDoc and the example", async () => {
    const model = (await analysis()).model!;
    const files = await emitModelFiles(model);
    const docs = files.get("docs/acme/golden/page-quirks.md")!;
    expect(docs).toContain("Where the schema file contradicts itself:");
    expect(docs).toContain('required name "image\\_urls" is not among the properties');
    expect(docs).toContain("Runcomfy\\_Example\\_1290\\_1.png");
    expect(docs).toContain("| `118_image` | image URL | yes |  |");
    expect(files.get("models/acme/golden/page-quirks.d.ts")).not.toContain("Runcomfy_Example");
    expect(files.get("models/acme/golden/page-quirks.js")).not.toContain("Runcomfy_Example");
    expect(model.usage).toEqual({
      input: { prompt: "example prompt", "118_image": "https://example.com/image.png" },
      synthesized: true,
      filled: [],
    });
  });

  it("a length in milliseconds is converted to the seconds the price is per", async () => {
    const model = (await analysis()).model!;
    expect(estimateCostFor(model.pricing, { prompt: "a cat", music_length_ms: 45000 })).toMatchObject({
      estimated: true,
      units: 45,
      amountUsd: 0.09,
      basis: "$0.002 per second × music_length_ms = 45000 ms = 45 s",
    });
  });
});
