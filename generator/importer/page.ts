/**
 * Reads a saved RunComfy model API docs page (plain text or HTML, any page language) and finds the
 * model id (from the curl URL), the input schema, the output schema and the example request body
 * (the curl `--data`). Language-independent: it looks at code, never at headings.
 */
import { htmlToText, looksLikeHtml } from "./html.js";
import { JsonScanLimitError, scanJsonObjects, type ScannedObject } from "./json-scan.js";
import { MODEL_ID_PATTERN } from "../load/load.js";

export class PageImportError extends Error {
  constructor(
    readonly page: string,
    readonly detail: string,
  ) {
    super(`${page}: ${detail}; nothing was written`);
    this.name = "PageImportError";
  }
}

export interface ImportedModel {
  modelId: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  example?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const isInputSchema = (v: unknown) =>
  isObject(v) && isObject(v.properties) && (v.type === "object" || v.type === undefined) && !("output" in v);
const isOutputSchema = (v: unknown) =>
  isObject(v) &&
  ((Object.keys(v).length === 1 && isObject(v.output)) || (isObject(v.properties) && v.type === "object"));

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

export function extractFromPage(page: string, raw: string): ImportedModel {
  const text = looksLikeHtml(raw) ? htmlToText(raw) : raw;
  const ids = [...text.matchAll(/\/v1\/models\/([A-Za-z0-9][A-Za-z0-9._\-/]*[A-Za-z0-9_])/g)].map((m) => m[1]);
  const modelId = ids.find((id) => MODEL_ID_PATTERN.test(id));
  if (!modelId)
    throw new PageImportError(
      page,
      "no model id found (expected a curl URL like https://model-api.runcomfy.net/v1/models/<model_id>)",
    );
  const others = [...new Set(ids.filter((id) => id !== modelId && MODEL_ID_PATTERN.test(id)))];
  if (others.length)
    throw new PageImportError(page, `the page names more than one model (${[modelId, ...others].join(", ")})`);

  // Request bodies: the JSON after each `--data '`.
  const dataStarts = new Set<number>();
  for (const m of text.matchAll(/--data(?:-raw)?\s+'/g)) dataStarts.add(m.index! + m[0].length);
  let objects: ScannedObject[];
  try {
    objects = scanJsonObjects(text);
  } catch (e) {
    if (!(e instanceof JsonScanLimitError)) throw e;
    throw new PageImportError(page, `the page is not a docs page: ${e.message} at line ${lineOf(text, e.offset)}`);
  }
  const example = objects.find((o) => dataStarts.has(o.start) && o.value !== undefined)?.value as
    | Record<string, unknown>
    | undefined;
  const schemas = objects.filter((o) => !dataStarts.has(o.start));
  const truncated = schemas.find((o) => o.truncated);

  const inputIndex = schemas.findIndex((o) => isInputSchema(o.value));
  if (inputIndex < 0) {
    if (truncated)
      throw new PageImportError(
        page,
        `the page is cut off inside a JSON block at line ${lineOf(text, truncated.start)}: the input schema is incomplete`,
      );
    throw new PageImportError(page, 'no input schema found (a JSON object with "properties")');
  }
  const output = schemas.slice(inputIndex + 1).find((o) => isOutputSchema(o.value));
  if (!output) {
    if (truncated)
      throw new PageImportError(
        page,
        `the page is cut off inside a JSON block at line ${lineOf(text, truncated.start)}: the output schema is incomplete`,
      );
    throw new PageImportError(page, "no output schema found after the input schema (the page may be cut off)");
  }
  return {
    modelId,
    inputSchema: schemas[inputIndex].value as Record<string, unknown>,
    outputSchema: output.value as Record<string, unknown>,
    ...(isObject(example) ? { example } : {}),
  };
}
