/**
 * The pipeline for one schema file, on one page: load → normalize → lint → model → emit, each stage
 * called here in order. Pure: a file's text in, its package files, summary and notes out (no file
 * system, no cache, no worker). `generate` runs it for each schema file the cache does not have (on
 * worker threads when there are many: compile-pool.ts); `lint` runs it without the emit stage, so both
 * report the same problems with the same words, codes and pointers.
 */
import { lintSchemaFile } from "./lint/checks.js";
import { positionOf, type Position } from "./load/load-json.js";
import { loadSchemaText, type SchemaText } from "./load/load.js";
import { buildModel, summarize, type ModelIR, type ModelSummary } from "./model/model.js";
import { normalizeSchemaFile } from "./normalize/normalize.js";
import { SchemaFileError, noteOf } from "./shared/errors.js";
import { severityOf, type Note, type SeverityPolicy } from "./shared/notes.js";

export interface CompileOptions {
  /** The schemas folder's name, for "generated from" headers. Default `schemas`. */
  schemasDirName?: string;
  /** The generated package's name (its docs' imports). */
  packageName?: string;
  /** Strict mode (unchecked rules are errors) or the config file's severities. */
  policy?: boolean | SeverityPolicy;
  /** Run the emit stage. Default true; lint stops at the model. */
  emit?: boolean;
  /** Record where every value starts (lint places each note); otherwise the text is parsed again only to place errors. */
  positions?: boolean;
}

export interface CompiledModel {
  /** The model's package files, when no note is an error (and emit ran). */
  files?: [path: string, content: string][];
  /** What the package-wide files and the cache need of the model; its notes at their own severities. */
  summary?: ModelSummary;
  /** Every note at the run's severities (errors included; notes turned off left out). */
  notes: Note[];
  /** The notes that are errors, as the pipeline throws them, placed by line and column. */
  errors: SchemaFileError[];
  /** The model, when no note is an error. */
  model?: ModelIR;
  /** The model id, when the envelope had one. */
  modelId?: string;
  /** Where each value starts (all of them with `positions`, else only when there were errors). */
  positions: Map<string, Position>;
}

export async function compileModel(source: SchemaText, options: CompileOptions = {}): Promise<CompiledModel> {
  const atRunSeverity = (notes: Note[]) => withSeverities(notes, options.policy ?? false);
  // 1. load: the text parsed, its envelope checked.
  const loaded = loadSchemaText(source, options.positions);
  const file = loaded.file;
  if (!file) return failed(source, atRunSeverity(loaded.errors.map(noteOf)), loaded.positions, undefined);
  // 2. normalize: both schemas, each as far as it can be read.
  const { input, output } = normalizeSchemaFile(file);
  // 3. lint: the checks the normalizer cannot make node by node.
  const lintNotes = lintSchemaFile(
    file,
    input.result?.schema ?? input.partial,
    output.result?.schema ?? output.partial,
  );
  const notes = atRunSeverity([...loaded.errors.map(noteOf), ...input.notes, ...output.notes, ...lintNotes]);
  if (notes.some((n) => n.severity === "error") || !input.result || !output.result)
    return failed(source, notes, loaded.positions, file.modelId);
  // 4. model: everything the emitters need, as plain data.
  const model = buildModel(file, options.schemasDirName, input.result, output.result, lintNotes);
  const compiled: CompiledModel = { notes, errors: [], model, modelId: file.modelId, positions: loaded.positions };
  if (options.emit === false) return compiled;
  // 5. emit: the model's module, its declarations and its docs page.
  try {
    // The emitters (templates, ajv's code generation, esbuild) load only when a model is emitted.
    const { emitModelFiles } = await import("./emit/package.js");
    const files = await emitModelFiles(model, { packageName: options.packageName });
    return { ...compiled, files: [...files], summary: summarize(model) };
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    return { ...compiled, model: undefined, errors: [e] };
  }
}

/** Notes at the run's severities: strict mode and the config file applied, those turned off left out. */
function withSeverities(notes: Note[], policy: boolean | SeverityPolicy): Note[] {
  return notes.flatMap((n) => {
    const severity = severityOf(n.code, policy);
    return severity === "off" ? [] : [{ ...n, severity } as Note];
  });
}

/**
 * A file with errors: they are placed by line and column (the places lint gives), at the cost of a
 * second parse when positions were not recorded on the first.
 */
function failed(
  source: SchemaText,
  notes: Note[],
  recorded: Map<string, Position>,
  modelId: string | undefined,
): CompiledModel {
  const positions = recorded.size ? recorded : loadSchemaText(source, true).positions;
  const errors = notes
    .filter((n) => n.severity === "error")
    .map((n) => new SchemaFileError(source.file, n.pointer, n.message, n.code, positionOf(positions, n.pointer)));
  return { notes, errors, modelId, positions };
}
