import { describe, expect, it } from "vitest";
import { costQuantity, modelPricing } from "../../generator/model/pricing.js";
import type { SchemaNode } from "../../generator/ir/schema-node.js";
import { estimateCostFor, formatCostEstimate } from "../../generator/runtime/pricing/pricing.js";

const schema = (properties: Record<string, SchemaNode>): SchemaNode => ({ type: "object", properties });
const priced = (priceUnit: string, properties: Record<string, SchemaNode>, basePriceUsd = 0.03, pricingNote?: string) =>
  modelPricing({ basePriceUsd, priceUnit, ...(pricingNote ? { pricingNote } : {}) }, schema(properties));

describe("pricing: what the base price multiplies", () => {
  it("per output × the count property, given or defaulted", () => {
    const p = priced("output", { prompt: { type: "string" }, num_images: { type: "integer", default: 1 } });
    expect(estimateCostFor(p, { prompt: "x", num_images: 4 })).toEqual({
      estimated: true,
      amountUsd: 0.12,
      units: 4,
      basePriceUsd: 0.03,
      priceUnit: "output",
      basis: "$0.03 per output × num_images = 4",
    });
    expect(estimateCostFor(p, { prompt: "x" })).toMatchObject({
      estimated: true,
      amountUsd: 0.03,
      basis: "$0.03 per output × num_images = 1 (the default)",
    });
    expect(estimateCostFor(p, { num_images: 2.5 })).toEqual({
      estimated: false,
      reason: "`num_images` is 2.5, not a count",
      basePriceUsd: 0.03,
      priceUnit: "output",
    });
  });

  it("a count property without default, not given, cannot be estimated", () => {
    const p = priced("output", { num_outputs: { type: "integer" } });
    expect(estimateCostFor(p, {})).toMatchObject({
      estimated: false,
      reason: "`num_outputs` is not set and the schema gives no default",
    });
  });

  it("per output with nothing that sets the count: one output per request, said in the basis", () => {
    expect(estimateCostFor(priced("output", { prompt: { type: "string" } }), { prompt: "x" })).toMatchObject({
      estimated: true,
      amountUsd: 0.03,
      basis: "$0.03 per output × 1 (one output per request: no input sets the number of outputs)",
    });
  });

  it("force_single counts one only when true; max_images makes the count unknown", () => {
    const p = priced("output", { force_single: { type: "boolean", default: false } });
    expect(estimateCostFor(p, { force_single: true })).toMatchObject({
      estimated: true,
      amountUsd: 0.03,
      basis: "$0.03 per output × 1 (`force_single` = true)",
    });
    expect(estimateCostFor(p, {})).toMatchObject({
      estimated: false,
      reason: "`force_single` is false (the default): the model may make several outputs (set it to true for one)",
    });
    expect(estimateCostFor(priced("output", { max_images: { type: "integer" } }), {})).toMatchObject({
      estimated: false,
      reason: expect.stringContaining("`max_images` lets the model make a varying number of outputs"),
    });
  });

  it("per second × duration, numbers or numeric strings; 'auto' cannot be estimated", () => {
    const p = priced("second", { duration: { type: "string", enum: ["auto", "5", "10"], default: "auto" } }, 0.05);
    expect(estimateCostFor(p, { duration: "10" })).toMatchObject({
      estimated: true,
      amountUsd: 0.5,
      units: 10,
      basis: "$0.05 per second × duration = 10",
    });
    expect(estimateCostFor(p, {})).toMatchObject({
      estimated: false,
      reason: '`duration` is "auto" (the default), not a number of seconds',
    });
    const q = priced("second", { duration: { type: "integer", enum: [5, 10], default: 5 } }, 0.1, "1080p costs more");
    expect(estimateCostFor(q, {})).toMatchObject({
      estimated: true,
      amountUsd: 0.5,
      basis: "$0.1 per second × duration = 5 (the default)",
      pricingNote: "1080p costs more",
    });
    expect(formatCostEstimate(estimateCostFor(q, {}))).toBe(
      "$0.5 ($0.1 per second × duration = 5 (the default); base price, the catalog notes: 1080p costs more)",
    );
  });

  it("per second × a length whose name says another unit, converted: music_length_ms in milliseconds", () => {
    const p = priced("second", { music_length_ms: { type: "integer", default: 30000 } }, 0.002);
    expect(estimateCostFor(p, { music_length_ms: 90500 })).toEqual({
      estimated: true,
      amountUsd: 0.181,
      units: 90.5,
      basePriceUsd: 0.002,
      priceUnit: "second",
      basis: "$0.002 per second × music_length_ms = 90500 ms = 90.5 s",
    });
    expect(estimateCostFor(p, {})).toMatchObject({
      estimated: true,
      units: 30,
      basis: "$0.002 per second × music_length_ms = 30000 ms (the default) = 30 s",
    });
    expect(
      estimateCostFor(priced("second", { clip_duration_minutes: { type: "number" } }), { clip_duration_minutes: 1.5 }),
    ).toMatchObject({
      units: 90,
      basis: "$0.03 per second × clip_duration_minutes = 1.5 min = 90 s",
    });
    expect(
      estimateCostFor(priced("second", { audio_length_seconds: { type: "integer" } }), { audio_length_seconds: 12 }),
    ).toMatchObject({
      units: 12,
      basis: "$0.03 per second × audio_length_seconds = 12",
    });
    // A length that says no unit (it may count characters) is not a duration.
    expect(costQuantity("second", schema({ max_length: { type: "integer" } }))).toMatchObject({ kind: "unknown" });
    // The names in seconds come first.
    expect(costQuantity("second", schema({ length_ms: { type: "integer" }, duration: { type: "integer" } }))).toEqual({
      kind: "property",
      property: "duration",
    });
  });

  it("per second with the length in frames, or no length at all, cannot be estimated", () => {
    expect(costQuantity("second", schema({ frames: { type: "integer", enum: [121, 241] } }))).toEqual({
      kind: "unknown",
      reason: "the length is set in frames (`frames`) and the frame rate the service bills by is not in the schema",
    });
    expect(estimateCostFor(priced("second", { prompt: { type: "string" } }), { prompt: "x" })).toMatchObject({
      estimated: false,
      reason: expect.stringContaining("the input has no length in seconds"),
    });
  });

  it("no price, or a unit it does not know: cannot estimate, with the reason", () => {
    expect(estimateCostFor(null, {})).toEqual({
      estimated: false,
      reason: expect.stringContaining("no price is recorded for this model"),
    });
    expect(estimateCostFor(priced("minute", { duration: { type: "integer" } }), { duration: 3 })).toMatchObject({
      estimated: false,
      reason: 'the catalog prices this model per "minute", a unit this package cannot estimate',
    });
    expect(formatCostEstimate(estimateCostFor(null, {}))).toMatch(/^cannot estimate: no price is recorded/);
  });

  it("inputs that are not objects never throw", () => {
    const p = priced("output", { num_images: { type: "integer", default: 2 } });
    for (const input of [null, 3, "x", [1]])
      expect(estimateCostFor(p, input)).toMatchObject({ estimated: true, units: 2 });
  });
});
