/**
 * Stage 1 — load: find the schema files, parse them, and check the file envelope:
 * `{ model_id, input_schema, output_schema?, example?, source?, base_price_usd?, price_unit?,
 * pricing_note? }` with an id that matches the path.
 * Nothing here interprets the schemas themselves.
 */
import { existsSync, readFileSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import { GeneratorError, SchemaFileError, hasOwn } from "../shared/errors.js";
import type { NoteCode } from "../shared/notes.js";
import { walkFiles } from "../shared/walk-files.js";
import { JsonLoadError, decodeUtf8, parseJson, type Position } from "./load-json.js";
import { readPricingFields, type PricingFields } from "./pricing-fields.js";
import { MODEL_ID_PATTERN } from "../runtime/model-id.js";

export interface SchemaFile {
  /** Path as given/found, for messages. */
  file: string;
  /** Path relative to the schemas directory, with forward slashes (`bytedance/x/y.json`). */
  relPath: string;
  /** Raw file text: hashed for caching, and kept so nothing is lost. */
  text: string;
  modelId: string;
  inputSchema: unknown;
  outputSchema: unknown;
  example: unknown;
  source: unknown;
  /** The catalog's price, when the file records it (`pull` does). */
  pricing?: PricingFields | null;
  /** Where each value starts; filled only when asked for (lint), since it costs a slower parse. */
  positions: Map<string, Position>;
}

export const ENVELOPE_KEYS = [
  "$schema",
  "model_id",
  "input_schema",
  "output_schema",
  "example",
  "source",
  "base_price_usd",
  "price_unit",
  "pricing_note",
] as const;

// One pattern for the generator and the runtime (the proxy checks ids with it).
export { MODEL_ID_PATTERN };

/** What the schemas folder holds for generation: `.json` files and the folders they are in; no dot entries, no links followed. */
export const isSchemaEntry = (e: Dirent) =>
  !e.name.startsWith(".") && (e.isDirectory() || (e.isFile() && e.name.endsWith(".json")));

export function assertSchemasDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new GeneratorError(`no schemas folder at ${dir}`, 2);
}

export async function findSchemaFiles(dir: string): Promise<string[]> {
  assertSchemasDir(dir);
  return walkFiles(dir, isSchemaEntry).map((rel) => path.join(dir, rel));
}

/** A file's text, or why it could not be read as text (not UTF-8, too large). */
export function readSchemaText(
  file: string,
): { text: string; error?: undefined } | { text?: undefined; error: JsonLoadError } {
  try {
    return { text: decodeUtf8(readFileSync(file)) };
  } catch (e) {
    if (e instanceof JsonLoadError) return { error: e };
    throw e;
  }
}

export const loadErrorOf = (file: string, e: JsonLoadError) =>
  new SchemaFileError(file, e.pointer, e.detail, e.code, e.position);

export interface CheckedSchemaFile {
  /** The file, when its envelope can be used (even if `errors` has problems elsewhere in it). */
  file?: SchemaFile;
  /** Every problem with the file as JSON and as an envelope; the file is unusable for generation if any. */
  errors: SchemaFileError[];
  positions: Map<string, Position>;
}

/**
 * Parses one schema file's text and checks its envelope, collecting every problem so one run
 * reports all of them. `positions` (where each value starts) are recorded only when asked for.
 * Long because it reads top to bottom as the envelope's checks, each a few lines and each adding to one list.
 */
export function checkSchemaFile(file: string, relPath: string, text: string, withPositions = false): CheckedSchemaFile {
  let parsed;
  try {
    parsed = parseJson(text, withPositions);
  } catch (e) {
    if (!(e instanceof JsonLoadError)) throw e;
    return { errors: [loadErrorOf(file, e)], positions: new Map([["", e.position]]) };
  }
  const { value, positions } = parsed;
  const errors: SchemaFileError[] = parsed.duplicateKeys.map(
    (d) =>
      new SchemaFileError(
        file,
        d.pointer,
        "key appears twice; JSON readers keep only the last one — remove one",
        "duplicate-key",
      ),
  );
  const fail = (pointer: string, detail: string, code: NoteCode) =>
    errors.push(new SchemaFileError(file, pointer, detail, code));
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail("", "a schema file must be a JSON object with model_id and input_schema", "envelope");
    return { errors, positions };
  }
  const doc = value as Record<string, unknown>;
  for (const key of ["model_id", "input_schema"])
    if (!hasOwn(doc, key)) fail("", `missing top-level key ${JSON.stringify(key)}`, "missing-key");
  for (const key of Object.keys(doc)) {
    if (!(ENVELOPE_KEYS as readonly string[]).includes(key))
      fail(
        "/" + key,
        `unexpected top-level key ${JSON.stringify(key)}; allowed: ${ENVELOPE_KEYS.join(", ")}`,
        "unexpected-key",
      );
  }
  const modelId = typeof doc.model_id === "string" ? doc.model_id : undefined;
  const expected = relPath.replace(/\\/g, "/").replace(/\.json$/, "");
  if (hasOwn(doc, "model_id") && modelId === undefined) fail("/model_id", "model_id is not a string", "envelope");
  else if (modelId !== undefined && !MODEL_ID_PATTERN.test(modelId)) {
    fail(
      "/model_id",
      `model_id ${JSON.stringify(modelId)} is not a valid id (segments of letters, digits, ".", "_", "-" separated by "/")`,
      "model-id",
    );
  } else if (modelId !== undefined && expected !== modelId) {
    fail(
      "/model_id",
      `model_id ${JSON.stringify(modelId)} does not match the file's path; it belongs at schemas/${modelId}.json`,
      "model-id-path",
    );
  }
  const inputUsable =
    doc.input_schema !== null && typeof doc.input_schema === "object" && !Array.isArray(doc.input_schema);
  if (hasOwn(doc, "input_schema") && !inputUsable) fail("/input_schema", "input_schema is not an object", "envelope");
  if (
    hasOwn(doc, "example") &&
    doc.example !== null &&
    (typeof doc.example !== "object" || Array.isArray(doc.example))
  ) {
    fail("/example", "example must be the request body, a JSON object", "envelope");
  }
  let pricing: PricingFields | null = null;
  try {
    pricing = readPricingFields(file, doc);
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    errors.push(e);
  }
  if (modelId === undefined || !inputUsable) return { errors, positions };
  const loaded: SchemaFile = {
    file,
    relPath: relPath.replace(/\\/g, "/"),
    text,
    modelId,
    inputSchema: doc.input_schema,
    outputSchema: hasOwn(doc, "output_schema") ? doc.output_schema : null,
    example:
      hasOwn(doc, "example") && doc.example !== null && typeof doc.example === "object" && !Array.isArray(doc.example)
        ? doc.example
        : null,
    source: hasOwn(doc, "source") ? doc.source : null,
    pricing,
    positions,
  };
  return { file: loaded, errors, positions };
}

/** Stage 1 for one file's text (or the reason it could not be read as text): parsed, its envelope checked. */
export function loadSchemaText(source: SchemaText, withPositions = false): CheckedSchemaFile {
  if (source.error)
    return {
      errors: [loadErrorOf(source.file, source.error)],
      positions: new Map([["", source.error.position]]),
    };
  return checkSchemaFile(source.file, source.relPath, source.text, withPositions);
}

export interface LoadResult {
  files: SchemaFile[];
  errors: SchemaFileError[];
}

export interface SchemaText {
  file: string;
  relPath: string;
  /** Empty when `error` says why the file could not be read as text. */
  text: string;
  error?: JsonLoadError;
}

/** The text of every schema file under `dir`, sorted by path. */
export async function readSchemaTexts(dir: string): Promise<SchemaText[]> {
  const paths = await findSchemaFiles(dir);
  // Synchronous reads: for thousands of small files they beat the thread pool several times over.
  return paths.map((file) => ({ file, relPath: relPathOf(dir, file), text: "", ...readSchemaText(file) }));
}

export const relPathOf = (dir: string, file: string) => path.relative(dir, file).split(path.sep).join("/");

/**
 * Ids that differ only in case would share one path on case-insensitive file systems: every later
 * one is an error. Returns the errors and the entries to keep.
 */
export function duplicateIds<T extends { modelId: string }>(
  entries: T[],
  fileOf: (entry: T) => string,
): { keep: T[]; errors: SchemaFileError[] } {
  const seen = new Map<string, string>();
  const keep: T[] = [];
  const errors: SchemaFileError[] = [];
  for (const entry of entries) {
    const prev = seen.get(entry.modelId.toLowerCase());
    if (prev)
      errors.push(
        new SchemaFileError(
          fileOf(entry),
          "/model_id",
          `model_id ${JSON.stringify(entry.modelId)} is also defined in ${prev}`,
          "duplicate-model-id",
        ),
      );
    else {
      seen.set(entry.modelId.toLowerCase(), fileOf(entry));
      keep.push(entry);
    }
  }
  return { keep, errors };
}

/** Parses schema texts; collects all errors instead of stopping at the first. */
export function parseSchemaTexts(texts: SchemaText[]): LoadResult {
  const parsed: SchemaFile[] = [];
  const errors: SchemaFileError[] = [];
  for (const { file: p, relPath: rel, text, error } of texts) {
    if (error) {
      errors.push(loadErrorOf(p, error));
      continue;
    }
    const checked = checkSchemaFile(p, rel, text);
    errors.push(...checked.errors);
    if (checked.file && !checked.errors.length) parsed.push(checked.file);
  }
  const { keep, errors: duplicates } = duplicateIds(parsed, (f) => f.file);
  return { files: keep, errors: [...errors, ...duplicates] };
}

/** Load every schema file under `dir`; collect all errors instead of stopping at the first. */
export async function loadSchemaDir(dir: string): Promise<LoadResult> {
  return parseSchemaTexts(await readSchemaTexts(dir));
}
