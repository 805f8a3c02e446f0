/**
 * `import`: saved docs pages → schema files. A page that differs from an existing file only in
 * translated text (titles, descriptions) keeps the existing file; other differences overwrite it and
 * are reported. With dryRun nothing is written.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { compileModel } from "../compile.js";
import type { Note, SeverityPolicy } from "../shared/notes.js";
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
  | { page: string; modelId: string; file: string; action: "added"; notes: Note[] }
  | { page: string; modelId: string; file: string; action: "unchanged" }
  | { page: string; modelId: string; file: string; action: "updated"; differences: string[]; notes: Note[] }
  | { page: string; modelId: string; file: string; action: "kept-translation"; differences: string[] };

export interface ImportOptions {
  outDir: string;
  dryRun?: boolean;
  /** Overwrite even when only translated text differs. */
  force?: boolean;
  /** The severities `generate` will use (the config file's rules, `strict`), for the notes reported. */
  policy?: SeverityPolicy;
}

/**
 * Largest page read: a saved docs page (its HTML, scripts inlined) is a small fraction of this, and
 * reading it is linear, so a hostile or mistaken file (a video, a dump) costs seconds at most.
 */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** A page's text: a regular file of at most MAX_PAGE_BYTES (a device or a FIFO never ends). */
async function readPage(page: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking: opening a FIFO would otherwise wait for a writer; fstat below refuses it.
    handle = await open(page, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new PageImportError(page, `cannot read the page: ${(e as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new PageImportError(page, "not a regular file (save the docs page as a file)");
    if (info.size > MAX_PAGE_BYTES) throw tooLarge(page, info.size);
    // One byte past the size stat gave: a file that grows meanwhile is never read whole.
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > info.size) throw new PageImportError(page, "the file changed while it was read");
    return buffer.toString("utf8", 0, length);
  } catch (e) {
    if (e instanceof PageImportError) throw e;
    throw new PageImportError(page, `cannot read the page: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

const tooLarge = (page: string, bytes: number) =>
  new PageImportError(
    page,
    `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a docs page is read up to ${MAX_PAGE_BYTES / 1024 / 1024} MiB`,
  );

export async function importPages(pages: string[], options: ImportOptions): Promise<ImportOutcome[]> {
  // Read and extract every page first: one bad page means nothing is written.
  const extracted = [];
  for (const page of pages) {
    extracted.push({ page, model: extractFromPage(page, await readPage(page)) });
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
    const text = serializeSchemaFile(doc);
    // What `generate` will say about the file written: the same analysis, warnings and errors alike.
    const notes = async () =>
      (
        await compileModel(
          { file, relPath: path.relative(options.outDir, file), text },
          { policy: options.policy, emit: false },
        )
      ).notes.filter((n) => n.severity !== "info");
    if (!existing) {
      outcomes.push({ page, modelId: model.modelId, file, action: "added", notes: await notes() });
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
      outcomes.push({ page, modelId: model.modelId, file, action: "updated", differences, notes: await notes() });
    }
    written.set(file, doc);
    if (!options.dryRun) await writeSchemaFile(file, text);
  }
  return outcomes;
}
