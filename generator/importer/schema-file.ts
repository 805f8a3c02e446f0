/** Writing schema files (import, pull): one serializer, and a JSON diff to say what changed. */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { joinPointer } from "../runtime/json-pointer.js";

export interface SchemaFileDoc {
  model_id: string;
  input_schema: unknown;
  output_schema: unknown;
  example?: unknown;
  source?: unknown;
  /** The catalog's pricing (optional; `pull` writes it). */
  base_price_usd?: number;
  price_unit?: string;
  pricing_note?: string;
}

/** The pricing fields of a document, to carry them over when another source rewrites the schemas. */
export const pricingOf = (
  doc: SchemaFileDoc | undefined,
): Pick<SchemaFileDoc, "base_price_usd" | "price_unit" | "pricing_note"> =>
  doc ? { base_price_usd: doc.base_price_usd, price_unit: doc.price_unit, pricing_note: doc.pricing_note } : {};

/** The file text: 2-space JSON, keys in envelope order (pricing after the id), trailing newline. */
export function serializeSchemaFile(doc: SchemaFileDoc): string {
  const ordered: Record<string, unknown> = { model_id: doc.model_id };
  for (const key of ["base_price_usd", "price_unit", "pricing_note"] as const)
    if (doc[key] !== undefined) ordered[key] = doc[key];
  Object.assign(ordered, { input_schema: doc.input_schema, output_schema: doc.output_schema });
  if (doc.example !== undefined) ordered.example = doc.example;
  if (doc.source !== undefined) ordered.source = doc.source;
  return JSON.stringify(ordered, null, 2) + "\n";
}

export const schemaFilePath = (dir: string, modelId: string) => path.join(dir, ...modelId.split("/")) + ".json";

/** JSON pointers where two values differ (added, removed or changed), in document order. */
export function diffJson(a: unknown, b: unknown, pointer = ""): string[] {
  if (a === b) return [];
  const bothObjects = a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return JSON.stringify(a) === JSON.stringify(b) ? [] : [pointer || "/"];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
  return keys.flatMap((k) =>
    diffJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], joinPointer(pointer, k)),
  );
}

/** Text that a docs page translates: differences only here mean "same model, another language". */
export const isTranslatedText = (pointer: string) => /\/(title|description)$/.test(pointer);

export async function readExisting(file: string): Promise<SchemaFileDoc | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, "utf8")) as SchemaFileDoc;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file, then rename), creating folders. */
export async function writeSchemaFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
