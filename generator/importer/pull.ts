/**
 * `pull`: reads the catalog and writes or updates schema files, pricing included. Either the whole
 * catalog (`GET /v1/models?include_schema=true`, page by page, optionally narrowed by the catalog's
 * own `search`/`category`/`kind` filters) or named models (`GET /v1/models/{model_id}`). Reports
 * added, changed (which properties) and removed models; removed models' files are deleted only with
 * `prune`, and only a pull of the whole catalog can say a model was removed. Errors are the client's own.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { findSchemaFiles, MODEL_ID_PATTERN } from "../load/load.js";
import { readPricingFields } from "../load/pricing-fields.js";
import { SchemaFileError } from "../shared/errors.js";
import { NotFoundError } from "../runtime/errors.js";
import { decodePointerToken } from "../runtime/json-pointer.js";
import {
  catalogHttp,
  getCatalogEntry,
  listCatalog,
  type CatalogConnection,
  type CatalogEntry,
  type CatalogFilters,
} from "./catalog.js";
import {
  diffJson,
  pricingOf,
  readExisting,
  schemaFilePath,
  serializeSchemaFile,
  writeSchemaFile,
  type SchemaFileDoc,
} from "./schema-file.js";

export interface PullOptions extends CatalogConnection, CatalogFilters {
  outDir: string;
  /** Only model ids containing this text (checked here, after the catalog's own filters). */
  filter?: string;
  /** Pull these models only, one `GET /v1/models/{model_id}` each. */
  modelIds?: string[];
  dryRun?: boolean;
  prune?: boolean;
  pageSize?: number;
}

export interface PullReport {
  added: string[];
  changed: { modelId: string; properties: string[] }[];
  unchanged: string[];
  removed: string[];
  /** Catalog entries that could not be used (bad id, no schema), with the reason. */
  skipped: { modelId: string; reason: string }[];
  /** Entries used without their pricing (a malformed price), with the reason. */
  warnings: { modelId: string; reason: string }[];
}

/** Whether removed models can be told: only when the whole catalog (or the local `filter`'s share of it) was read. */
export const seesWholeCatalog = (o: Pick<PullOptions, "search" | "category" | "kind" | "modelIds">) =>
  !o.modelIds?.length && !o.search && !o.category && !o.kind;

/** Which input properties differ: `prompt`, `image_urls`, or `(output)` / `(schema)` / `(pricing)` for the rest. */
function changedProperties(before: SchemaFileDoc, after: SchemaFileDoc): string[] {
  const names = new Set<string>();
  const compared = (d: SchemaFileDoc) => ({
    input_schema: d.input_schema,
    output_schema: d.output_schema,
    ...pricingOf(d),
  });
  for (const p of diffJson(compared(before), compared(after))) {
    const m = /^\/input_schema\/properties\/([^/]+)/.exec(p);
    if (m) names.add(decodePointerToken(m[1]));
    else
      names.add(p.startsWith("/output_schema") ? "(output)" : p.startsWith("/input_schema") ? "(schema)" : "(pricing)");
  }
  return [...names];
}

/** The entry's pricing as schema file fields; a malformed price is left out and reported. */
function pricingFields(
  modelId: string,
  entry: CatalogEntry,
  report: PullReport,
): Pick<SchemaFileDoc, "base_price_usd" | "price_unit" | "pricing_note"> | undefined {
  if ((entry.base_price_usd ?? null) === null && (entry.price_unit ?? null) === null) return undefined;
  try {
    const fields = readPricingFields(modelId, {
      base_price_usd: entry.base_price_usd,
      price_unit: entry.price_unit,
      pricing_note: entry.pricing_note || null,
    });
    return fields
      ? { base_price_usd: fields.basePriceUsd, price_unit: fields.priceUnit, pricing_note: fields.pricingNote }
      : undefined;
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    report.warnings.push({ modelId, reason: `pricing not recorded: ${e.detail}` });
    return undefined;
  }
}

async function fetchEntries(options: PullOptions): Promise<CatalogEntry[]> {
  const http = catalogHttp(options);
  if (!options.modelIds?.length) return (await listCatalog(http, { ...options, includeSchema: true })).models;
  const entries: CatalogEntry[] = [];
  for (const id of options.modelIds) {
    try {
      entries.push({ model_id: id, ...(await getCatalogEntry(http, id)) });
    } catch (e) {
      if (e instanceof NotFoundError)
        throw new NotFoundError(`${id} is not in the catalog: ${e.message}`, {
          status: e.status,
          errorCode: e.errorCode,
        });
      throw e;
    }
  }
  return entries;
}

export async function pullCatalog(options: PullOptions): Promise<PullReport> {
  const bad = options.modelIds?.find((id) => !MODEL_ID_PATTERN.test(id));
  if (bad !== undefined) throw new TypeError(`${JSON.stringify(bad)} is not a model id`);
  if (options.prune && !seesWholeCatalog(options))
    throw new TypeError(
      "--prune needs the whole catalog: it cannot be combined with model ids, --search, --category or --kind",
    );
  const entries = await fetchEntries(options);
  const report: PullReport = { added: [], changed: [], unchanged: [], removed: [], skipped: [], warnings: [] };
  const matches = (id: string) => !options.filter || id.includes(options.filter);
  const seen = new Set<string>();
  for (const entry of entries) {
    const modelId = typeof entry.model_id === "string" ? entry.model_id : "";
    if (!MODEL_ID_PATTERN.test(modelId)) {
      report.skipped.push({ modelId: String(entry.model_id), reason: "not a valid model id" });
      continue;
    }
    if (!matches(modelId)) continue;
    if (!entry.input_schema || typeof entry.input_schema !== "object") {
      report.skipped.push({ modelId, reason: "the catalog entry has no input_schema" });
      continue;
    }
    seen.add(modelId);
    try {
      await pullEntry(modelId, entry, options, report);
    } catch (e) {
      // One entry the file system refuses (a name too long, a folder not writable) is reported; the rest go on.
      if (!isSystemError(e)) throw e;
      report.skipped.push({ modelId, reason: `cannot write its schema file: ${e.message}` });
    }
  }
  if (seesWholeCatalog(options)) await findRemoved(options, matches, seen, report);
  return report;
}

/** Longest file name most file systems take (ext4, APFS, NTFS: 255). */
const MAX_FILE_NAME = 255;

const isSystemError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && "syscall" in e;

/** Writes (or, dry, would write) one entry's schema file and reports what changed. */
async function pullEntry(modelId: string, entry: CatalogEntry, options: PullOptions, report: PullReport) {
  const long = modelId.split("/").find((segment) => `${segment}.json`.length > MAX_FILE_NAME);
  if (long !== undefined) {
    // Told before writing, so a dry run reports what a real one would.
    report.skipped.push({
      modelId,
      reason: `a segment of the id is ${long.length} characters: longer than a file name can be (${MAX_FILE_NAME})`,
    });
    return;
  }
  const file = schemaFilePath(options.outDir, modelId);
  const existing = await readExisting(file);
  // The catalog's price replaces the file's; a file priced by hand keeps its price when the catalog has none.
  const pricing = pricingFields(modelId, entry, report) ?? pricingOf(existing);
  const doc: SchemaFileDoc = {
    model_id: modelId,
    input_schema: entry.input_schema,
    output_schema: entry.output_schema ?? null,
    example: existing?.example,
    source: existing?.source,
    ...pricing,
  };
  const properties = existing && changedProperties(existing, doc);
  if (properties && !properties.length) return void report.unchanged.push(modelId);
  if (!options.dryRun) await writeSchemaFile(file, serializeSchemaFile(doc));
  if (properties) report.changed.push({ modelId, properties });
  else report.added.push(modelId);
}

async function findRemoved(
  options: PullOptions,
  matches: (id: string) => boolean,
  seen: Set<string>,
  report: PullReport,
): Promise<void> {
  let localFiles: string[] = [];
  try {
    localFiles = await findSchemaFiles(options.outDir);
  } catch {
    localFiles = [];
  }
  for (const file of localFiles) {
    const id = path
      .relative(options.outDir, file)
      .split(path.sep)
      .join("/")
      .replace(/\.json$/, "");
    if (matches(id) && !seen.has(id)) {
      report.removed.push(id);
      if (options.prune && !options.dryRun) await rm(file);
    }
  }
  report.removed.sort();
}
