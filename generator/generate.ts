/**
 * The pipeline: load → normalize → lint notes → intermediate model → emit → write.
 * Apart from the stages, the incremental machinery (`incremental/run-cache.ts`): a model whose
 * schema file (and the generator) did not change since the last run comes whole from the cache —
 * summary and emitted files — without being read again. Nothing is kept per model beyond its
 * summary and the hashes of its files: emitted files are staged as they come (`write/output-tree.ts`).
 */
import path from "node:path";
import { mapLimit } from "./incremental/cache.js";
import { RunCache } from "./incremental/run-cache.js";
import { emitIndexFiles, emitRuntimeFiles, packageListingOf } from "./emit/package.js";
import type { BuildContext, ModelBuilder } from "./emit/model-worker.js";
import { duplicateIds, readSchemaText, readSchemaTexts, type SchemaText } from "./load/load.js";
import type { SchemaSource } from "./load/sources.js";
import type { ModelIR, ModelSummary } from "./model/model.js";
import { SchemaErrors, SchemaFileError } from "./shared/errors.js";
import { severityOf, type Note, type SeverityPolicy } from "./shared/notes.js";
import { OutputTree } from "./write/output-tree.js";
import { contentHash, type TreeDiff } from "./write/write.js";

export interface GenerateOptions {
  schemasDir: string;
  outDir: string;
  /** Compare only: report stale files, write nothing. */
  check?: boolean;
  /** Build and report what would change, write nothing. */
  dryRun?: boolean;
  /** Unchecked rules (unparseable, unknown metric) fail generation. */
  strict?: boolean;
  /** Severities from the config file (`rules`); `strict` wins over them. */
  rules?: SeverityPolicy["rules"];
  packageName?: string;
  packageVersion?: string;
  /** Cache folder for emitted files; `false` turns caching off. Default: node_modules/.cache/runcomfy-codegen in the process folder's project (cacheDirFor). */
  cache?: string | false;
}

export interface GenerateResult {
  models: ModelSummary[];
  diff: TreeDiff;
  notes: { file: string; note: Note }[];
  /** Files that differ from what `schemas/` would produce (with --check). */
  stale: string[];
  /** Models emitted in this run (the others came from the cache). */
  emitted: number;
  ms: number;
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const schemasDirName = path.basename(path.resolve(options.schemasDir));
  const pkg = {
    packageName: options.packageName ?? "runcomfy-models",
    packageVersion: options.packageVersion ?? "0.1.0",
    schemasDirName,
  };
  const policy: SeverityPolicy = { strict: !!options.strict, rules: options.rules };
  const cache = new RunCache({ ...options, packageName: pkg.packageName });
  const output = await OutputTree.open(options.outDir, { ...options, lastManifest: cache.lastOutput });
  const errors: SchemaFileError[] = [];

  // 1. load: every schema file, known by its content hash (unchanged ones unread).
  const sources = await cache.readSources();
  // Unchanged models come from the cache; each other one goes through stages 1–5 on its own.
  const cached = cache.lookupAll(sources, output);
  const misses = sources.filter((_, i) => !cached[i]);
  const emitted = await emitModels(
    misses,
    { schemasDirName, packageName: pkg.packageName, policy },
    { cache, output, errors },
  );
  const models = [...cached, ...emitted].filter((m): m is ModelSummary => !!m).sort(byId);

  // 3. lint notes, at the run's severities: an error among them (or a duplicate id) fails the run.
  errors.push(...duplicateIds(models, (m) => m.sourcePath).errors);
  const notes = lintNotes(models, policy, errors);
  if (errors.length) {
    output.abort();
    throw new SchemaErrors(sortErrors(errors));
  }

  // 5. emit the files that list every model (unless those on disk list the same), and the runtime.
  const listing = packageListingOf(models, pkg);
  if (!cache.keepListingFiles(listing, output)) {
    const hashes = [...emitIndexFiles(listing)].map(([p, content]): [string, string] => [p, output.put(p, content)]);
    cache.recordListingFiles(listing, hashes);
  }
  for (const [p, content] of emitRuntimeFiles()) output.put(p, content);

  // 6. write: changed files moved in, stale ones removed; then what the next run starts from.
  const diff = await output.commit();
  cache.finish(output.manifest());
  const stale = [...diff.added, ...diff.changed, ...diff.removed].sort();
  return { models, diff, notes, stale, emitted: misses.length, ms: performance.now() - started };
}

interface EmitRun {
  cache: RunCache;
  output: OutputTree;
  errors: SchemaFileError[];
}

/** The models the cache did not have, a few at a time; their problems go to `errors`. */
async function emitModels(
  sources: SchemaSource[],
  ctx: BuildContext,
  run: EmitRun,
): Promise<(ModelSummary | undefined)[]> {
  // Stages 1–5 load here, not with the CLI: a run whose models all come from the cache never needs them.
  if (!sources.length) return [];
  const { ModelBuilder, workerThreadsFor } = await import("./emit/model-worker.js");
  // Whole models are built on worker threads too when there is work enough for them (model-worker.ts).
  const builder = new ModelBuilder(ctx, workerThreadsFor(sources.length));
  try {
    return await mapLimit(sources, 8, (source) => emitModel(source, builder, run));
  } finally {
    await builder.close();
  }
}

/** One schema file through the stages: load (read now) → normalize → lint → model → emit → write. */
async function emitModel(source: SchemaSource, builder: ModelBuilder, run: EmitRun): Promise<ModelSummary | undefined> {
  const { file, relPath } = source;
  const text: SchemaText = source.error
    ? { file, relPath, text: "", error: source.error }
    : { file, relPath, text: "", ...readSchemaText(file) };
  // Keyed by what was read (the file may have changed since it was hashed).
  const key = run.cache.keyOf(relPath, text.error ? source.hash : contentHash(text.text));
  const built = await builder.build(text);
  run.errors.push(...built.errors);
  if (!built.summary || !built.files) return undefined;
  const hashes = built.files.map(([p, content]): [string, string] => [p, run.output.put(p, content)]);
  return run.cache.record(relPath, key, built.summary, new Map(built.files), hashes);
}

/** Stages 1–4 for one file (load, normalize, lint, model); its errors are collected, its model returned when it has none. */
async function analyze(
  source: SchemaText,
  schemasDirName: string,
  strict: boolean | SeverityPolicy,
  errors: SchemaFileError[],
): Promise<ModelIR | undefined> {
  const { analyzeForGenerate } = await import("./lint/analyze.js");
  const { model, errors: found } = analyzeForGenerate(source, { schemasDirName, strict });
  errors.push(...found);
  return model;
}

/** Loads and models every schema file (no cache, nothing emitted); all problems are collected into one SchemaErrors. */
export async function buildModels(
  schemasDir: string,
  strict: boolean | SeverityPolicy = false,
): Promise<{ models: ModelIR[]; notes: GenerateResult["notes"] }> {
  const schemasDirName = path.basename(path.resolve(schemasDir));
  const errors: SchemaFileError[] = [];
  const built: ModelIR[] = [];
  for (const t of await readSchemaTexts(schemasDir)) {
    const model = await analyze(t, schemasDirName, strict, errors);
    if (model) built.push(model);
  }
  const { keep: models, errors: duplicates } = duplicateIds(built, (m) => m.sourcePath);
  errors.push(...duplicates);
  const notes = lintNotes(models, strict, errors);
  if (errors.length) throw new SchemaErrors(sortErrors(errors));
  return { models: models.sort(byId), notes };
}

/** Stage 3: the models' notes at the run's severities (strict mode, the config file's rules); `off` drops them, errors go to `errors`. */
function lintNotes(
  models: ModelSummary[],
  policy: boolean | SeverityPolicy,
  errors: SchemaFileError[],
): GenerateResult["notes"] {
  const notes: GenerateResult["notes"] = [];
  for (const m of models) {
    for (const note of m.notes) {
      const severity = severityOf(note.code, policy);
      if (severity === "error") errors.push(new SchemaFileError(m.sourcePath, note.pointer, note.message, note.code));
      else if (severity !== "off") notes.push({ file: m.sourcePath, note: { ...note, severity } });
    }
  }
  return notes;
}

const byId = <T extends { modelId: string }>(a: T, b: T) =>
  a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0;

function sortErrors(errors: SchemaFileError[]): SchemaFileError[] {
  return errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.pointer < b.pointer ? -1 : 1));
}
