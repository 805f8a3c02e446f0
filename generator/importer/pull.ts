/**
 * `pull`: reads the catalog (`GET /v1/models?include_schema=true`, page by page) and writes or updates
 * schema files. Reports added, changed (which properties) and removed models; removed models' files
 * are deleted only with `prune` (nothing is lost by default). Errors are the client's own.
 */
import { rm } from "node:fs/promises";
import { findSchemaFiles, MODEL_ID_PATTERN } from "../load/load.js";
import { send, type HttpOptions } from "../runtime/http.js";
import { NetworkError } from "../runtime/errors.js";
import { diffJson, readExisting, schemaFilePath, serializeSchemaFile, writeSchemaFile, type SchemaFileDoc } from "./schema-file.js";
import path from "node:path";

export interface PullOptions {
  baseUrl: string;
  token: string | undefined;
  outDir: string;
  filter?: string;
  dryRun?: boolean;
  prune?: boolean;
  pageSize?: number;
  fetch?: typeof fetch;
}

export interface PullReport {
  added: string[];
  changed: { modelId: string; properties: string[] }[];
  unchanged: string[];
  removed: string[];
  /** Catalog entries that could not be used (bad id, no schema), with the reason. */
  skipped: { modelId: string; reason: string }[];
}

interface CatalogEntry {
  model_id?: unknown;
  input_schema?: unknown;
  output_schema?: unknown;
}

/** Which input properties differ: `prompt`, `image_urls`, or `(output)` / `(schema)` for the rest. */
function changedProperties(before: SchemaFileDoc, after: SchemaFileDoc): string[] {
  const names = new Set<string>();
  for (const p of diffJson({ input_schema: before.input_schema, output_schema: before.output_schema }, { input_schema: after.input_schema, output_schema: after.output_schema })) {
    const m = /^\/input_schema\/properties\/([^/]+)/.exec(p);
    names.add(m ? m[1].replace(/~1/g, "/").replace(/~0/g, "~") : p.startsWith("/output_schema") ? "(output)" : "(schema)");
  }
  return [...names];
}

export async function pullCatalog(options: PullOptions): Promise<PullReport> {
  const http: HttpOptions = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    token: options.token,
    fetch: options.fetch ?? ((...a) => globalThis.fetch(...a)),
    retry: { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000 },
    requestTimeoutMs: 30_000,
    random: Math.random,
  };
  const pageSize = options.pageSize ?? 100;
  const entries: CatalogEntry[] = [];
  for (let offset = 0; ; ) {
    const page = (await send(http, { method: "GET", path: `/models?include_schema=true&limit=${pageSize}&offset=${offset}`, idempotent: true })) as { models?: unknown; total?: unknown };
    if (!Array.isArray(page.models) || typeof page.total !== "number") throw new NetworkError("malformed catalog page: expected { models: [...], total }", false);
    entries.push(...(page.models as CatalogEntry[]));
    offset += page.models.length;
    if (offset >= page.total || page.models.length === 0) break;
  }
  const report: PullReport = { added: [], changed: [], unchanged: [], removed: [], skipped: [] };
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
    const file = schemaFilePath(options.outDir, modelId);
    const existing = await readExisting(file);
    const doc: SchemaFileDoc = { model_id: modelId, input_schema: entry.input_schema, output_schema: entry.output_schema ?? null, example: existing?.example, source: existing?.source };
    if (!existing) report.added.push(modelId);
    else {
      const properties = changedProperties(existing, doc);
      if (!properties.length) {
        report.unchanged.push(modelId);
        continue;
      }
      report.changed.push({ modelId, properties });
    }
    if (!options.dryRun) await writeSchemaFile(file, serializeSchemaFile(doc));
  }
  let localFiles: string[] = [];
  try {
    localFiles = await findSchemaFiles(options.outDir);
  } catch {
    localFiles = [];
  }
  for (const file of localFiles) {
    const id = path.relative(options.outDir, file).split(path.sep).join("/").replace(/\.json$/, "");
    if (matches(id) && !seen.has(id)) {
      report.removed.push(id);
      if (options.prune && !options.dryRun) await rm(file);
    }
  }
  report.removed.sort();
  return report;
}
