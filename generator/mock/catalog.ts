/**
 * The emulator's catalog: entries built from the schema files (pricing included), the routes
 * `GET /v1/models` (filters `search`, `category`, `kind`; `include_schema`, `limit`, `offset`),
 * `GET /v1/models/{model_id}` and `GET /v1/models/categories`, and the `cost` a result carries with
 * `include_cost=true`. Kept apart from the queue routes in queue-routes.ts.
 */
import type { SchemaFile } from "../load/load.js";
import type { ModelIR } from "../model/model.js";
import { isPlainObject } from "../ir/schema-node.js";
import { estimateCostFor } from "../runtime/pricing/pricing.js";

/** Fields of a catalog entry a test may set or override per model (display name, categories, price…). */
export type CatalogOverrides = Record<string, Record<string, unknown>>;

/**
 * Refuses overrides that are not `{ "<model id>": { fields } }` or that name a model the emulator does
 * not serve (a typo would otherwise change nothing, silently). A TypeError: a caller's mistake.
 */
export function checkCatalogOverrides(
  overrides: unknown,
  served: { has(modelId: string): boolean },
): asserts overrides is CatalogOverrides {
  if (!isPlainObject(overrides))
    throw new TypeError('catalog overrides must hold a JSON object: { "<model id>": { catalog fields } }');
  for (const [modelId, fields] of Object.entries(overrides)) {
    if (!isPlainObject(fields))
      throw new TypeError(
        `the entry of ${modelId} must be an object of catalog fields (display_name, base_price_usd, …)`,
      );
    if (!served.has(modelId))
      throw new TypeError(`no schema file for ${modelId}: catalog overrides name only models the emulator serves`);
  }
}

export interface CatalogModel {
  ir: ModelIR;
  raw: SchemaFile;
}

/** Words from an id's segments; dots stay, since they are part of a version ("seedance-2.5" is "Seedance 2.5"). */
const titleCase = (s: string) => s.replace(/[-_]+/g, " ").replace(/(^|\s)\w/g, (c) => c.toUpperCase());

/**
 * A model's catalog entry without schemas. Display name and categories are derived from the id when
 * a test does not set them: the id's `x-to-y` segment is the category (the service's categories
 * read like `text-to-video`), else the kind of media the model outputs.
 */
export function catalogEntry({ ir, raw }: CatalogModel, overrides: CatalogOverrides = {}): Record<string, unknown> {
  const segments = raw.modelId.split("/");
  const task = segments.find((s) => /^[a-z]+-to-[a-z]+$/.test(s));
  const media = /video/.test(raw.modelId) ? "video" : /audio|speech|music/.test(raw.modelId) ? "audio" : "image";
  const pricing = ir.pricing
    ? {
        base_price_usd: ir.pricing.basePriceUsd,
        price_unit: ir.pricing.priceUnit,
        ...(ir.pricing.pricingNote ? { pricing_note: ir.pricing.pricingNote } : {}),
      }
    : {};
  const own = Object.hasOwn(overrides, raw.modelId) ? overrides[raw.modelId] : {};
  return {
    model_id: raw.modelId,
    display_name: titleCase(segments.slice(1).join(" ")),
    categories: [task ?? media],
    kind: "model",
    ...pricing,
    ...own,
  };
}

/** What a completed job cost: the estimate where the input says, else one unit (the service knows the rest). */
export function jobCost(entry: Record<string, unknown>, model: CatalogModel, input: unknown): number | undefined {
  const price = entry.base_price_usd;
  if (typeof price !== "number") return undefined;
  const unit = typeof entry.price_unit === "string" ? entry.price_unit : "output";
  const quantity =
    model.ir.pricing && model.ir.pricing.priceUnit === unit
      ? model.ir.pricing.quantity
      : { kind: "one-output" as const };
  const estimate = estimateCostFor({ basePriceUsd: price, priceUnit: unit, quantity }, input);
  return estimate.estimated ? estimate.amountUsd : price;
}

export interface CatalogAnswer {
  status: number;
  body: unknown;
}

/** Answers `GET /v1/models…`; `parts` are the path's segments (`["v1", "models", …]`). */
export function answerCatalog(
  url: URL,
  parts: string[],
  models: Map<string, CatalogModel>,
  overrides: CatalogOverrides = {},
): CatalogAnswer {
  const entries = () =>
    [...models.values()]
      .sort((a, b) => (a.raw.modelId < b.raw.modelId ? -1 : 1))
      .map((m) => ({ model: m, entry: catalogEntry(m, overrides) }));
  const withSchema = ({ model, entry }: { model: CatalogModel; entry: Record<string, unknown> }) => ({
    ...entry,
    input_schema: model.raw.inputSchema,
    output_schema: model.raw.outputSchema,
  });
  if (parts.length === 3 && parts[2] === "categories") {
    const categories = new Set(
      entries().flatMap(({ entry }) => (Array.isArray(entry.categories) ? entry.categories : [])),
    );
    return { status: 200, body: { categories: [...categories].sort() } };
  }
  if (parts.length > 2) {
    // One entry, schemas included (the official CLI prints the schema from this answer).
    const modelId = parts.slice(2).map(decodeURIComponent).join("/");
    const model = models.get(modelId);
    if (!model) return { status: 404, body: { error_code: 404001, message: `model ${modelId} not found` } };
    return { status: 200, body: withSchema({ model, entry: catalogEntry(model, overrides) }) };
  }
  const q = url.searchParams;
  const limit = Math.min(Math.max(Number(q.get("limit") ?? 50) || 50, 1), 200);
  const offset = Math.max(Number(q.get("offset") ?? 0) || 0, 0);
  const search = q.get("search")?.trim().toLowerCase();
  const category = q.get("category")?.trim();
  const kind = q.get("kind")?.trim();
  const matching = entries().filter(({ entry }) => {
    if (search && !`${entry.model_id} ${entry.display_name ?? ""}`.toLowerCase().includes(search)) return false;
    if (category && !(Array.isArray(entry.categories) && entry.categories.includes(category))) return false;
    return !kind || entry.kind === kind;
  });
  const page = matching
    .slice(offset, offset + limit)
    .map((e) => (q.get("include_schema") === "true" ? withSchema(e) : e.entry));
  return { status: 200, body: { models: page, total: matching.length, limit, offset } };
}
