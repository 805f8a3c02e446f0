/** A schemas folder with the seed models priced as the catalog would price them (fixture for pricing tests). */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { schemasWithQuirks } from "./helpers.js";

/** Made-up prices in the catalog's shape (RunComfy's real prices are not in this repository). */
export const PRICES: Record<string, { base_price_usd: number; price_unit: string; pricing_note?: string }> = {
  "bytedance/seedance-1-0/lite/image-to-video": {
    base_price_usd: 0.07,
    price_unit: "second",
    pricing_note: "1080p costs twice the base price",
  },
  "bytedance/dreamina-3-0/pro/text-to-video": { base_price_usd: 0.1, price_unit: "second" },
  "bytedance/dreamina-4-0/edit": { base_price_usd: 0.03, price_unit: "output" },
};

/** Copies the seed schemas (and the quirky fixture) into `dir` and adds PRICES to their files. */
export function pricedSchemas(dir: string): string {
  const schemas = schemasWithQuirks(dir);
  for (const [id, price] of Object.entries(PRICES)) {
    const file = path.join(schemas, `${id}.json`);
    const { model_id, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ model_id, ...price, ...rest }, null, 2) + "\n");
  }
  return schemas;
}
