/**
 * The catalog endpoints, as RunComfy's official CLI calls them: `GET /v1/models` with `search`,
 * `category`, `kind`, `include_schema`, `limit`, `offset` (pages of `{ models, total }`),
 * `GET /v1/models/{model_id}` (one entry; the id's slashes go into the path raw, as every official
 * client sends them) and `GET /v1/models/categories`. Errors are the queue client's own.
 */
import { MODEL_ID_PATTERN } from "../load/load.js";
import { NetworkError } from "../runtime/errors.js";
import { send, type HttpOptions } from "../runtime/api-http/api-request.js";

/** One catalog entry: the fields clients use; anything else the service sends is kept as it came. */
export interface CatalogEntry {
  model_id?: unknown;
  display_name?: unknown;
  categories?: unknown;
  kind?: unknown;
  base_price_usd?: unknown;
  price_unit?: unknown;
  pricing_note?: unknown;
  input_schema?: unknown;
  output_schema?: unknown;
  [field: string]: unknown;
}

/** The catalog's own filters (sent to the service; it decides what matches). */
export interface CatalogFilters {
  search?: string;
  category?: string;
  kind?: string;
}

export interface CatalogConnection {
  baseUrl: string;
  token: string | undefined;
  fetch?: typeof fetch;
}

export function catalogHttp(options: CatalogConnection): HttpOptions {
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    token: options.token,
    fetch: options.fetch ?? ((...a) => globalThis.fetch(...a)),
    retry: { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000 },
    requestTimeoutMs: 30_000,
    random: Math.random,
  };
}

/**
 * Most entries and pages one listing reads. RunComfy's catalog is a small fraction of either; a
 * service that keeps sending new pages past them is answered with an error instead of read forever.
 */
export const MAX_CATALOG_ENTRIES = 10_000;
export const MAX_CATALOG_PAGES = 1_000;

/**
 * Every entry matching the filters, page by page; `limit` caps how many are fetched. Reading stops at
 * the last page (short or empty, or the offset past `total`) and at a page that brings no new model
 * id (a service that ignores `offset`); an entry whose id an earlier page had is dropped.
 */
export async function listCatalog(
  http: HttpOptions,
  options: CatalogFilters & { includeSchema?: boolean; pageSize?: number; limit?: number; offset?: number } = {},
): Promise<{ models: CatalogEntry[]; total: number }> {
  const pageSize = options.pageSize ?? 100;
  const models: CatalogEntry[] = [];
  const seen = new Set<unknown>();
  let total = 0;
  for (let offset = options.offset ?? 0, pages = 0; ; pages++) {
    if (pages >= MAX_CATALOG_PAGES || models.length >= MAX_CATALOG_ENTRIES)
      throw new NetworkError(
        `the catalog did not end after ${pages} pages and ${models.length} entries (its total said ${total}); one listing reads at most ${MAX_CATALOG_PAGES} pages and ${MAX_CATALOG_ENTRIES} entries: narrow it with --search, --category or --kind, or name the models`,
        false,
      );
    const want = options.limit === undefined ? pageSize : Math.min(pageSize, options.limit - models.length);
    const query = new URLSearchParams({ limit: String(want), offset: String(offset) });
    for (const key of ["search", "category", "kind"] as const) if (options[key]?.trim()) query.set(key, options[key]!);
    if (options.includeSchema) query.set("include_schema", "true");
    const page = (await send(http, { method: "GET", path: `/models?${query}`, idempotent: true })) as {
      models?: unknown;
      total?: unknown;
    };
    if (!Array.isArray(page?.models))
      throw new NetworkError("malformed catalog page: expected { models: [...], total }", false);
    const entries = page.models as CatalogEntry[];
    // Entries without a string id cannot be told apart: each counts as new (pull skips them).
    const fresh = entries.filter((e) => typeof e?.model_id !== "string" || !seen.has(e.model_id));
    for (const e of fresh) seen.add(e?.model_id);
    models.push(...fresh);
    // `total` is optional in the official CLI's reading; without it, a short page is the last.
    total = typeof page.total === "number" ? page.total : offset + entries.length + (entries.length < want ? 0 : 1);
    offset += entries.length;
    if (
      entries.length === 0 ||
      fresh.length === 0 ||
      offset >= total ||
      (options.limit !== undefined && models.length >= options.limit)
    )
      break;
  }
  return { models, total: Math.max(total, models.length) };
}

/** One catalog entry by id (`GET /v1/models/{model_id}`). */
export async function getCatalogEntry(http: HttpOptions, modelId: string): Promise<CatalogEntry> {
  if (!MODEL_ID_PATTERN.test(modelId)) throw new TypeError(`${JSON.stringify(modelId)} is not a model id`);
  const entry = await send(http, { method: "GET", path: `/models/${modelId}`, idempotent: true });
  if (!entry || typeof entry !== "object" || Array.isArray(entry))
    throw new NetworkError(`malformed catalog entry for ${modelId}: expected an object`, false);
  return entry as CatalogEntry;
}

/** The catalog's categories (`GET /v1/models/categories`). */
export async function listCategories(http: HttpOptions): Promise<unknown[]> {
  const body = (await send(http, { method: "GET", path: "/models/categories", idempotent: true })) as {
    categories?: unknown;
  };
  if (!Array.isArray(body?.categories))
    throw new NetworkError("malformed categories answer: expected { categories: [...] }", false);
  return body.categories;
}

/** `$0.044/output`, as the official CLI prints a price; `-` without one. */
export function priceCell(entry: CatalogEntry): string {
  const price = typeof entry.base_price_usd === "number" ? entry.base_price_usd : undefined;
  if (price === undefined) return "-";
  return typeof entry.price_unit === "string" ? `$${price}/${entry.price_unit}` : `$${price}`;
}
