/**
 * Stage 4 — the intermediate model: everything the emitters need about one model, as plain data,
 * built from a loaded schema file and the normalizer's results (it never normalizes itself). Text for
 * readers (JSDoc, docs pages) is the emitters' work (emit/docs.ts). Emitters read only this, never
 * raw schema files.
 */
import { createHash } from "node:crypto";
import { fillExampleBlanks, synthesizeExample } from "./example.js";
import type { SchemaFile } from "../load/load.js";
import type { Note } from "../shared/notes.js";
import type { NormalizedSchema } from "../ir/schema-node.js";
import type { RuleTarget } from "../runtime/validation/rule-types.js";
import type { ModelPricing } from "../runtime/pricing/pricing.js";
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
  /** The schema file's example, its blanks (`""` at a required input) filled with placeholders; or null. */
  example: Record<string, unknown> | null;
  /** The docs' usage example: the schema file's example, or one synthesized from the schema (`synthesized`). */
  usage: {
    input: Record<string, unknown>;
    synthesized: boolean;
    /** Where the file's example left a required input empty and a placeholder stands (JSON pointers). */
    filled: string[];
  };
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
  /** The lint checks' notes (stage 3), kept with the normalizer's. */
  lintNotes: Note[] = [],
): ModelIR {
  // The docs' blanks ("" at a required input) filled with placeholders: the example sends something, and validates.
  const filled = file.example ? fillExampleBlanks(input.schema, file.example as Record<string, unknown>) : null;
  const example = filled?.input ?? null;
  return {
    modelId: file.modelId,
    sourcePath: `${schemasDirName}/${file.relPath}`,
    sourceHash: createHash("sha256").update(file.text).digest("hex"),
    input,
    output,
    ruleTargets: input.ruleTargets,
    example,
    usage: example
      ? { input: example, synthesized: false, filled: filled?.filled ?? [] }
      : { input: synthesizeExample(input.schema), synthesized: true, filled: [] },
    notes: [...input.notes, ...output.notes, ...lintNotes],
    modulePath: modulePathOf(file.modelId),
    exportPath: `./${file.modelId}`,
    pricing: modelPricing(file.pricing ?? null, input.schema),
  };
}
