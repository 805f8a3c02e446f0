import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";

import { generate } from "../../generator/generate.js";
import { ROOT, captureCli, tempDir, parseSchemaFile } from "../helpers.js";

const file = (extra: Record<string, unknown>) => ({
  model_id: "acme/m",
  ...extra,
  input_schema: { type: "object", properties: {} },
});
const parse = (doc: object) => parseSchemaFile("schemas/acme/m.json", "acme/m.json", JSON.stringify(doc));

describe("schema files: the catalog's pricing fields", () => {
  it("are optional, and read when present", () => {
    expect(parse(file({})).pricing).toBeNull();
    expect(parse(file({ base_price_usd: 0.05, price_unit: "second", pricing_note: "1080p: $0.1/s" })).pricing).toEqual({
      basePriceUsd: 0.05,
      priceUnit: "second",
      pricingNote: "1080p: $0.1/s",
    });
    expect(parse(file({ base_price_usd: 0, price_unit: "minute", pricing_note: "" })).pricing).toEqual({
      basePriceUsd: 0,
      priceUnit: "minute",
    });
  });

  it("a price without a unit, a unit without a price, or a bad value is an error at its pointer", () => {
    expect(() => parse(file({ base_price_usd: 0.05 }))).toThrow(
      "schemas/acme/m.json#/price_unit: base_price_usd without price_unit",
    );
    expect(() => parse(file({ price_unit: "output" }))).toThrow("#/base_price_usd: price_unit without base_price_usd");
    expect(() => parse(file({ base_price_usd: -1, price_unit: "output" }))).toThrow(
      "#/base_price_usd: base_price_usd must be a number of US dollars, 0 or more",
    );
    expect(() => parse(file({ base_price_usd: "0.05", price_unit: "output" }))).toThrow("#/base_price_usd");
    expect(() => parse(file({ base_price_usd: 1, price_unit: 3 }))).toThrow(
      '#/price_unit: price_unit must be a string ("output" or "second")',
    );
    expect(() => parse(file({ pricing_note: "x" }))).toThrow(
      "#/pricing_note: pricing_note without base_price_usd and price_unit",
    );
  });

  it("the editor schema for schema files agrees", () => {
    const validate = new Ajv.default({ strict: false }).compile(
      JSON.parse(readFileSync(path.join(ROOT, "generator/schema-file.schema.json"), "utf8")),
    );
    expect(validate(file({ base_price_usd: 0.05, price_unit: "second", pricing_note: "n" }))).toBe(true);
    for (const bad of [
      { base_price_usd: 0.05 },
      { price_unit: "output" },
      { base_price_usd: -1, price_unit: "output" },
      { pricing_note: "x" },
    ])
      expect(validate(file(bad)), JSON.stringify(bad)).toBe(false);
  });
});

describe("a bad price in lint and generate", () => {
  it("lint reports it at its line with the envelope rule (exit 1); generate refuses with file and pointer", async () => {
    const tmp = tempDir();
    try {
      const schemas = `${tmp.dir}/schemas`;
      mkdirSync(`${schemas}/acme`, { recursive: true });
      writeFileSync(
        `${schemas}/acme/m.json`,
        '{\n  "model_id": "acme/m",\n  "base_price_usd": -1,\n  "price_unit": "output",\n  "input_schema": { "type": "object", "properties": {} }\n}\n',
      );
      const r = await captureCli(["lint", schemas, "--format", "json"]);
      expect(r.code).toBe(1);
      const [{ messages }] = JSON.parse(r.stdout);
      expect(messages).toEqual([
        expect.objectContaining({
          ruleId: "envelope",
          line: 3,
          message: expect.stringContaining("base_price_usd must be a number of US dollars, 0 or more"),
        }),
      ]);
      const err = await generate({ schemasDir: schemas, outDir: `${tmp.dir}/out` }).catch((e) => e);
      expect(err.message).toContain(
        "acme/m.json#/base_price_usd: base_price_usd must be a number of US dollars, 0 or more",
      );
    } finally {
      tmp.cleanup();
    }
  });
});
