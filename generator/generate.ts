/**
 * The pipeline: load → normalize → lint (the normalizer's notes) → intermediate model → emit → write.
 */
import path from "node:path";
import { SchemaErrors, SchemaFileError } from "./errors.js";
import { loadSchemaDir } from "./load.js";
import { buildModel, type ModelIR } from "./model.js";
import type { Note } from "./normalize.js";
import { emitIndexFiles, emitModelFiles, emitRuntimeFiles, type FileMap } from "./emit/package.js";
import { assertGeneratedDir, diffTree, readTree, recoverInterruptedWrite, writeTree, type TreeDiff } from "./write.js";

export interface GenerateOptions {
  schemasDir: string;
  outDir: string;
  /** Compare only: report stale files, write nothing. */
  check?: boolean;
  /** Build and report what would change, write nothing. */
  dryRun?: boolean;
  /** Unchecked rules (unparseable, unknown metric) fail generation. */
  strict?: boolean;
  packageName?: string;
  packageVersion?: string;
}

export interface GenerateResult {
  models: ModelIR[];
  diff: TreeDiff;
  notes: { file: string; note: Note }[];
  /** Files that differ from what `schemas/` would produce (with --check). */
  stale: string[];
  ms: number;
}

/** Loads and models every schema file; all problems are collected into one SchemaErrors. */
export async function buildModels(schemasDir: string, strict = false): Promise<{ models: ModelIR[]; notes: GenerateResult["notes"] }> {
  const { files, errors } = await loadSchemaDir(schemasDir);
  const models: ModelIR[] = [];
  const notes: GenerateResult["notes"] = [];
  const schemasDirName = path.basename(path.resolve(schemasDir));
  for (const f of files) {
    try {
      const model = buildModel(f, schemasDirName);
      for (const note of model.notes) {
        if (strict && note.code === "unchecked-rule") errors.push(new SchemaFileError(f.file, note.pointer, note.message, note.code));
        else notes.push({ file: f.file, note });
      }
      models.push(model);
    } catch (e) {
      if (e instanceof SchemaErrors) errors.push(...e.errors);
      else if (e instanceof SchemaFileError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length) {
    errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.pointer < b.pointer ? -1 : 1));
    throw new SchemaErrors(errors);
  }
  models.sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  return { models, notes };
}

/** Every file of the generated package, in memory. */
export async function emitPackage(models: ModelIR[], options: { packageName: string; packageVersion: string; schemasDirName: string }): Promise<FileMap> {
  const files: FileMap = new Map();
  const errors: SchemaFileError[] = [];
  for (const m of models) {
    try {
      for (const [p, c] of await emitModelFiles(m)) files.set(p, c);
    } catch (e) {
      if (e instanceof SchemaFileError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length) throw new SchemaErrors(errors);
  for (const [p, c] of emitIndexFiles(models, options)) files.set(p, c);
  for (const [p, c] of emitRuntimeFiles()) files.set(p, c);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const { models, notes } = await buildModels(options.schemasDir, options.strict);
  const files = await emitPackage(models, {
    packageName: options.packageName ?? "runcomfy-models",
    packageVersion: options.packageVersion ?? "0.1.0",
    schemasDirName: path.basename(path.resolve(options.schemasDir)),
  });
  if (!options.check && !options.dryRun) await recoverInterruptedWrite(options.outDir);
  const existing = await readTree(options.outDir);
  let diff: TreeDiff;
  if (options.check || options.dryRun) diff = diffTree(existing, files);
  else {
    await assertGeneratedDir(options.outDir, existing);
    diff = await writeTree(options.outDir, files, existing);
  }
  const stale = [...diff.added, ...diff.changed, ...diff.removed].sort();
  return { models, diff, notes, stale, ms: performance.now() - started };
}
