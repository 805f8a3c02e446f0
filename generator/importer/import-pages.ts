/**
 * `import`: saved docs pages → schema files. A page that differs from an existing file only in
 * translated text (titles, descriptions) keeps the existing file; other differences overwrite it and
 * are reported. With dryRun nothing is written.
 */
import { readFile } from "node:fs/promises";
import { extractFromPage, PageImportError } from "./page.js";
import {
  diffJson,
  isTranslatedText,
  pricingOf,
  readExisting,
  schemaFilePath,
  serializeSchemaFile,
  writeSchemaFile,
  type SchemaFileDoc,
} from "./schema-file.js";

export type ImportOutcome =
  | { page: string; modelId: string; file: string; action: "added" | "unchanged" }
  | { page: string; modelId: string; file: string; action: "updated" | "kept-translation"; differences: string[] };

export interface ImportOptions {
  outDir: string;
  dryRun?: boolean;
  /** Overwrite even when only translated text differs. */
  force?: boolean;
}

export async function importPages(pages: string[], options: ImportOptions): Promise<ImportOutcome[]> {
  // Read and extract every page first: one bad page means nothing is written.
  const extracted = [];
  for (const page of pages) {
    let raw: string;
    try {
      raw = await readFile(page, "utf8");
    } catch (e) {
      throw new PageImportError(page, `cannot read the page: ${(e as Error).message}`);
    }
    extracted.push({ page, model: extractFromPage(page, raw) });
  }
  const outcomes: ImportOutcome[] = [];
  const written = new Map<string, SchemaFileDoc>();
  for (const { page, model } of extracted) {
    const file = schemaFilePath(options.outDir, model.modelId);
    const existing = written.get(file) ?? (await readExisting(file));
    const doc: SchemaFileDoc = {
      model_id: model.modelId,
      input_schema: model.inputSchema,
      output_schema: model.outputSchema,
      example: model.example ?? existing?.example,
      source: existing?.source,
      ...pricingOf(existing),
    };
    if (!existing) {
      outcomes.push({ page, modelId: model.modelId, file, action: "added" });
    } else {
      const differences = diffJson(
        { input_schema: existing.input_schema, output_schema: existing.output_schema, example: existing.example },
        { input_schema: doc.input_schema, output_schema: doc.output_schema, example: doc.example },
      );
      if (!differences.length) {
        outcomes.push({ page, modelId: model.modelId, file, action: "unchanged" });
        continue;
      }
      if (!options.force && differences.every(isTranslatedText)) {
        outcomes.push({ page, modelId: model.modelId, file, action: "kept-translation", differences });
        continue;
      }
      outcomes.push({ page, modelId: model.modelId, file, action: "updated", differences });
    }
    written.set(file, doc);
    if (!options.dryRun) await writeSchemaFile(file, serializeSchemaFile(doc));
  }
  return outcomes;
}
