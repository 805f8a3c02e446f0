/** The catalog through real HTTP against the emulator: its routes, `pull`'s filters and single models, `models`. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPages } from "../../generator/importer/import-pages.js";
import { pullCatalog } from "../../generator/importer/pull.js";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { ROOT, captureCli, tempDir } from "../helpers.js";
import { PRICES, pricedSchemas } from "../pricing-fixture.js";

const TOKEN = "rc-catalog-token";
const tmp = tempDir();
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    schemasDir: pricedSchemas(tmp.dir),
    token: TOKEN,
    catalog: { "acme/quirky/all-quirks": { display_name: "Quirky", categories: ["text-to-image"], kind: "workflow" } },
  });
});
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

/** A parsed JSON answer; the tests read its fields by name. */
// biome-ignore lint/suspicious/noExplicitAny: the answers are arbitrary JSON, asserted field by field
type Json = Record<string, any>;
const get = async (route: string) => {
  const res = await fetch(`${emulator.baseUrl}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Json };
};
const cli = (argv: string[]) =>
  captureCli(argv, { env: { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: emulator.baseUrl } });
const SEEDANCE = "bytedance/seedance-1-0/lite/image-to-video";
const ids = (body: Json) => body.models.map((m: { model_id: string }) => m.model_id);

describe("emulator: catalog routes", () => {
  it("entries carry display name, categories, kind and the schema files' pricing", async () => {
    const { body } = await get("/models?limit=10");
    expect(body.total).toBe(5);
    expect(body.models.find((m: { model_id: string }) => m.model_id === SEEDANCE)).toEqual({
      model_id: SEEDANCE,
      display_name: "Seedance 1 0 Lite Image To Video",
      categories: ["image-to-video"],
      kind: "model",
      ...PRICES[SEEDANCE],
    });
    expect(body.models[0]).not.toHaveProperty("input_schema");
  });

  it("filters by search (id or name), category and kind, as the service's query parameters", async () => {
    expect(ids((await get("/models?search=DREAMINA")).body)).toEqual([
      "bytedance/dreamina-3-0/pro/image-to-video",
      "bytedance/dreamina-3-0/pro/text-to-video",
      "bytedance/dreamina-4-0/edit",
    ]);
    expect(ids((await get("/models?search=quirky")).body)).toEqual(["acme/quirky/all-quirks"]);
    expect((await get("/models?category=image-to-video")).body).toMatchObject({ total: 2 });
    expect(ids((await get("/models?kind=workflow")).body)).toEqual(["acme/quirky/all-quirks"]);
    expect((await get("/models?category=text-to-video&search=seedance")).body).toMatchObject({ models: [], total: 0 });
  });

  it("GET /v1/models/{model_id} is one entry with its schemas; unknown ids are 404; categories list", async () => {
    const { status, body } = await get(`/models/${SEEDANCE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ model_id: SEEDANCE, price_unit: "second", input_schema: { type: "object" } });
    expect(await get("/models/acme/nope")).toMatchObject({ status: 404, body: { error_code: 404001 } });
    expect((await get("/models/categories")).body).toEqual({
      categories: ["image", "image-to-video", "text-to-image", "text-to-video"],
    });
  });
});

describe("pull: the catalog's filters and single models", () => {
  it("pull <model-id> writes only that model (GET /v1/models/{model_id}) and reports no removals", async () => {
    const out = path.join(tmp.dir, "single");
    const before = emulator.stats().requests.models;
    const r = await cli(["pull", SEEDANCE, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `added    ${SEEDANCE}\n1 added, 0 changed, 0 unchanged (a filtered pull does not look for removed models)\n`,
    );
    expect(emulator.stats().requests.models - before).toBe(1);
    expect(JSON.parse(readFileSync(path.join(out, `${SEEDANCE}.json`), "utf8"))).toMatchObject({
      model_id: SEEDANCE,
      ...PRICES[SEEDANCE],
    });
    const missing = await cli(["pull", "acme/nope", "--out", out]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("acme/nope is not in the catalog");
    expect((await cli(["pull", "not a model id", "--out", out])).code).toBe(2);
  });

  it("--category / --search / --kind go to the service; --prune refuses a filtered pull", async () => {
    const out = path.join(tmp.dir, "filtered");
    const r = await cli(["pull", "--category", "image-to-video", "--out", out]);
    expect(r.stdout).toContain("2 added, 0 changed, 0 unchanged (a filtered pull");
    expect(existsSync(path.join(out, "bytedance/dreamina-3-0/pro/image-to-video.json"))).toBe(true);
    expect(existsSync(path.join(out, "bytedance/dreamina-4-0/edit.json"))).toBe(false);
    const kind = await pullCatalog({
      baseUrl: emulator.baseUrl,
      token: TOKEN,
      outDir: out,
      kind: "workflow",
      dryRun: true,
    });
    expect(kind.added).toEqual(["acme/quirky/all-quirks"]);
    const prune = await cli(["pull", "--search", "seedance", "--prune", "--out", out]);
    expect(prune.code).toBe(2);
    expect(prune.stderr).toContain("--prune needs the whole catalog");
  });

  it("a changed price is reported as (pricing); a malformed one is left out with a warning; a hand-priced file keeps its price", async () => {
    const out = path.join(tmp.dir, "prices");
    await pullCatalog({ baseUrl: emulator.baseUrl, token: TOKEN, outDir: out });
    const file = path.join(out, `${SEEDANCE}.json`);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...doc, base_price_usd: 0.01 }, null, 2));
    const quirky = path.join(out, "acme/quirky/all-quirks.json");
    writeFileSync(
      quirky,
      JSON.stringify(
        { ...JSON.parse(readFileSync(quirky, "utf8")), base_price_usd: 0.5, price_unit: "output" },
        null,
        2,
      ),
    );
    const report = await pullCatalog({ baseUrl: emulator.baseUrl, token: TOKEN, outDir: out });
    expect(report.changed).toEqual([{ modelId: SEEDANCE, properties: ["(pricing)"] }]);
    expect(JSON.parse(readFileSync(file, "utf8")).base_price_usd).toBe(0.07);
    expect(JSON.parse(readFileSync(quirky, "utf8"))).toMatchObject({ base_price_usd: 0.5, price_unit: "output" });

    const bad = await startEmulator({
      schemasDir: pricedSchemas(path.join(tmp.dir, "bad")),
      token: TOKEN,
      catalog: { [SEEDANCE]: { base_price_usd: "cheap" } },
    });
    try {
      const fresh = path.join(tmp.dir, "bad-out");
      const r = await captureCli(["pull", SEEDANCE, "--out", fresh], {
        env: { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: bad.baseUrl },
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(
        `warning  ${SEEDANCE}: pricing not recorded: base_price_usd must be a number of US dollars, 0 or more\n`,
      );
      expect(JSON.parse(readFileSync(path.join(fresh, `${SEEDANCE}.json`), "utf8"))).not.toHaveProperty(
        "base_price_usd",
      );
    } finally {
      await bad.close();
    }
  });
});

describe("import keeps what pull recorded", () => {
  it("a docs page imported over a pulled file keeps its pricing", async () => {
    const out = path.join(tmp.dir, "import-over-pull");
    await pullCatalog({ baseUrl: emulator.baseUrl, token: TOKEN, outDir: out, modelIds: [SEEDANCE] });
    const file = path.join(out, `${SEEDANCE}.json`);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...doc, input_schema: { type: "object", properties: {} } }, null, 2));
    const [outcome] = await importPages([path.join(ROOT, "test/fixtures/seeds/003_e8d9cc3408199ad9.txt")], {
      outDir: out,
    });
    expect(outcome.action).toBe("updated");
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject(PRICES[SEEDANCE]);
  });
});

describe("models command", () => {
  it("lists id, display name, categories and price; --json for scripts; --categories", async () => {
    const r = await cli(["models", "--search", "seedance"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "MODEL_ID                                    NAME                              CATEGORIES      PRICE\n" +
        "bytedance/seedance-1-0/lite/image-to-video  Seedance 1 0 Lite Image To Video  image-to-video  $0.07/second\n",
    );
    expect(r.stderr).toBe("1-1 of 1\n");
    const all = await cli(["models", "--json"]);
    expect(JSON.parse(all.stdout)).toMatchObject({
      total: 5,
      models: expect.arrayContaining([
        expect.objectContaining({ model_id: "acme/quirky/all-quirks", display_name: "Quirky" }),
      ]),
    });
    expect((await cli(["models", "--limit", "2", "--offset", "1", "--json"])).stdout).toContain(
      '"model_id": "bytedance/dreamina-3-0/pro/image-to-video"',
    );
    expect(JSON.parse((await cli(["models", "--limit", "2", "--json"])).stdout).models).toHaveLength(2);
    expect((await cli(["models", "--categories"])).stdout).toBe(
      "image\nimage-to-video\ntext-to-image\ntext-to-video\n",
    );
    expect((await cli(["models", "--search", "nothing-like-this"])).stderr).toBe("No models matched.\n");
    expect((await cli(["models", "--limit", "0"])).code).toBe(2);
  });

  it("needs a token, as every API command does", async () => {
    const r = await captureCli(["models"], { env: { RUNCOMFY_BASE_URL: emulator.baseUrl } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("RUNCOMFY_API_TOKEN");
  });
});
