/**
 * Pricing end to end, through real HTTP: the emulator serves priced schema files as its catalog,
 * `pull` records the prices, `generate` builds the package, and the package, `validate` and
 * `run --dry-run` estimate what a request costs; a finished job's `include_cost` result agrees.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { pullCatalog } from "../../generator/importer/pull.js";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { png } from "../../generator/mock/images.js";
import { captureCli, tempDir } from "../helpers.js";
import { PRICES, pricedSchemas } from "../pricing-fixture.js";

const TOKEN = "rc-pricing-token";
const tmp = tempDir();
const pulled = path.join(tmp.dir, "pulled");
const out = path.join(tmp.dir, "generated");
let emulator: Emulator;
let pkg: {
  estimateCost: (id: string, input: unknown) => Promise<Record<string, unknown>>;
  modelPricing: (id: string) => Promise<unknown>;
};

beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: pricedSchemas(tmp.dir), token: TOKEN, queueMs: 0, runMs: 0 });
  await pullCatalog({ baseUrl: emulator.baseUrl, token: TOKEN, outDir: pulled });
  await generate({ schemasDir: pulled, outDir: out });
  pkg = await import(pathToFileURL(path.join(out, "index.js")).href);
}, 60_000);
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

const cli = (argv: string[]) => captureCli(argv, { env: { RUNCOMFY_API_TOKEN: TOKEN } });
const SEEDANCE = "bytedance/seedance-1-0/lite/image-to-video";
const EDIT = "bytedance/dreamina-4-0/edit";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";

describe("pricing from the catalog to the estimate", () => {
  it("pull records the catalog's pricing fields, right after the model id", () => {
    const doc = JSON.parse(readFileSync(path.join(pulled, `${SEEDANCE}.json`), "utf8"));
    expect(Object.keys(doc).slice(0, 4)).toEqual(["model_id", "base_price_usd", "price_unit", "pricing_note"]);
    expect(doc).toMatchObject(PRICES[SEEDANCE]);
    expect(JSON.parse(readFileSync(path.join(pulled, "acme/quirky/all-quirks.json"), "utf8"))).not.toHaveProperty(
      "base_price_usd",
    );
  });

  it("the package exposes each model's pricing and estimates with the basis it used", async () => {
    expect(await pkg.modelPricing(EDIT)).toEqual({
      basePriceUsd: 0.03,
      priceUnit: "output",
      quantity: { kind: "one-output-if", property: "force_single", default: false },
    });
    expect(await pkg.modelPricing("acme/quirky/all-quirks")).toBeNull();
    expect(await pkg.estimateCost(SEEDANCE, { prompt: "x", duration: 10 })).toEqual({
      estimated: true,
      amountUsd: 0.7,
      units: 10,
      basePriceUsd: 0.07,
      priceUnit: "second",
      pricingNote: "1080p costs twice the base price",
      basis: "$0.07 per second × duration = 10",
    });
    expect(await pkg.estimateCost(SEEDANCE, { prompt: "x" })).toMatchObject({
      amountUsd: 0.35,
      basis: "$0.07 per second × duration = 5 (the default)",
    });
    expect(await pkg.estimateCost(EDIT, { prompt: "x", force_single: true })).toMatchObject({
      estimated: true,
      amountUsd: 0.03,
    });
    expect(await pkg.estimateCost(EDIT, { prompt: "x" })).toMatchObject({
      estimated: false,
      reason: expect.stringContaining("the model may make several outputs"),
    });
    expect(await pkg.estimateCost(T2V, { prompt: "x" })).toMatchObject({
      estimated: false,
      reason: expect.stringContaining("set in frames (`frames`)"),
    });
    expect(await pkg.estimateCost("acme/quirky/all-quirks", {})).toMatchObject({
      estimated: false,
      reason: expect.stringContaining("no price is recorded"),
    });
  });

  it("each priced model's docs page gives its price", () => {
    const page = (id: string) => readFileSync(path.join(out, "docs", `${id}.md`), "utf8");
    expect(page(SEEDANCE)).toContain(
      "Price: $0.07 per second (base price; the catalog notes: 1080p costs twice the base price); `estimateCost(modelId, input)`",
    );
    expect(page(EDIT)).toContain("Price: $0.03 per output;");
    expect(page("acme/quirky/all-quirks")).not.toContain("Price:");
  });

  it("validate prints the estimate (and puts it in --json)", async () => {
    const input = path.join(tmp.dir, "seedance.json");
    writeFileSync(
      input,
      JSON.stringify({ prompt: "a cat", first_frame_image_url: "https://example.com/a.png", duration: 10 }),
    );
    const r = await cli(["validate", SEEDANCE, input, "--package", out, "--no-probe"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "valid\nestimated cost: $0.7 ($0.07 per second × duration = 10; base price, the catalog notes: 1080p costs twice the base price)\n",
    );
    const j = await cli(["validate", SEEDANCE, input, "--package", out, "--no-probe", "--json"]);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: true, costEstimate: { estimated: true, amountUsd: 0.7 } });
  });

  it("run --dry-run validates and estimates, submits nothing, needs no token", async () => {
    const input = path.join(tmp.dir, "t2v.json");
    writeFileSync(input, JSON.stringify({ prompt: "a teapot" }));
    const before = emulator.stats().submits;
    const r = await captureCli(["run", T2V, input, "--package", out, "--dry-run", "--base-url", emulator.baseUrl], {
      env: {},
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "valid\nestimated cost: cannot estimate: the length is set in frames (`frames`) and the frame rate the service bills by is not in the schema\ndry run: nothing was submitted\n",
    );
    const bad = path.join(tmp.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ prompt: 3 }));
    const invalid = await captureCli(["run", T2V, bad, "--package", out, "--dry-run", "--json"], { env: {} });
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      dryRun: true,
      validation: { valid: false },
      costEstimate: { estimated: false },
    });
    expect(emulator.stats().submits).toBe(before);
  });

  it("run --dry-run accepts an inline data URI at an image input by default, as the service does", async () => {
    const dataUri = `data:image/png;base64,${Buffer.from(png(1000, 1000)).toString("base64")}`;
    const input = path.join(tmp.dir, "edit-data-uri.json");
    writeFileSync(input, JSON.stringify({ prompt: "a cat", image_urls: [dataUri] }));
    const r = await captureCli(["run", "bytedance/dreamina-4-0/edit", input, "--package", out, "--dry-run", "--json"], {
      env: {},
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, validation: { valid: true, issues: [] } });
    expect(r.code).toBe(0);
  });

  it("a finished job's result with include_cost=true carries the cost, and only then", async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const submit = await fetch(`${emulator.baseUrl}/models/${SEEDANCE}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ prompt: "x", first_frame_image_url: "https://example.com/a.png", duration: 10 }),
    });
    const { request_id } = (await submit.json()) as { request_id: string };
    const result = async (query: string) =>
      (await (await fetch(`${emulator.baseUrl}/requests/${request_id}/result${query}`, { headers })).json()) as Record<
        string,
        unknown
      >;
    expect(await result("?include_cost=true")).toMatchObject({ status: "completed", cost: 0.7 });
    expect(await result("")).not.toHaveProperty("cost");
  });
});
