/**
 * Stage 4 — the intermediate model: everything the emitters need about one model, as plain data,
 * built from a loaded schema file and the normalizer's results (it never normalizes itself). Text for
 * readers (JSDoc, docs pages) is the emitters' work (emit/docs.ts). Emitters read only this, never
 * raw schema files.
 */
import { createHash } from "node:crypto";
import { synthesizeExample } from "./example.js";
import type { SchemaFile } from "../load/load.js";
import type { NormalizedSchema, Note } from "../normalize/normalize.js";
import type { RuleTarget } from "../runtime/rule-types.js";
import type { ModelPricing } from "../runtime/pricing.js";
import { modelPricing } from "./pricing.js";

/** What the package-wide files (registry, root entry, README) need of a model: small, and cacheable. */
export interface ModelSummary {
  modelId: string;
  /** Where it came from, for "generated from" headers: `schemas/<id>.json`. */
  sourcePath: string;
  /**
   * The model's files inside the generated package, without extension: `models/<id>` (`.js` and
   * `.d.ts`), a folder per id segment, so one pattern export (`./*` → `./models/*.js`) serves every
   * model and package.json stays the same size whatever the catalog.
   */
  modulePath: string;
  /** Subpath export: `./<id>`. */
  exportPath: string;
  notes: Note[];
  /** The catalog's price and what it multiplies, or null when the schema file records no price. */
  pricing: ModelPricing | null;
}

export function summarize(model: ModelIR): ModelSummary {
  const { modelId, sourcePath, modulePath, exportPath, notes, pricing } = model;
  return { modelId, sourcePath, modulePath, exportPath, notes, pricing };
}

export interface ModelIR extends ModelSummary {
  example: Record<string, unknown> | null;
  /** The docs' usage example: the schema file's example, or one synthesized from the schema (`synthesized`). */
  usage: { input: Record<string, unknown>; synthesized: boolean };
  sourceHash: string;
  input: NormalizedSchema;
  output: NormalizedSchema & { generic: boolean };
  ruleTargets: RuleTarget[];
}

/** Where a model's module lives in the generated package. */
export const modulePathOf = (modelId: string) => `models/${modelId}`;

export function buildModel(
  file: SchemaFile,
  schemasDirName = "schemas",
  input: NormalizedSchema,
  output: NormalizedSchema & { generic: boolean },
): ModelIR {
  return {
    modelId: file.modelId,
    sourcePath: `${schemasDirName}/${file.relPath}`,
    sourceHash: createHash("sha256").update(file.text).digest("hex"),
    input,
    output,
    ruleTargets: input.ruleTargets,
    example: (file.example as Record<string, unknown> | null) ?? null,
    usage: file.example
      ? { input: file.example as Record<string, unknown>, synthesized: false }
      : { input: synthesizeExample(input.schema), synthesized: true },
    notes: [...input.notes, ...output.notes],
    modulePath: modulePathOf(file.modelId),
    exportPath: `./${file.modelId}`,
    pricing: modelPricing(file.pricing ?? null, input.schema),
  };
}
