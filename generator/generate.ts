/**
 * A whole run: sources → cache partition → compile (pool) → package files → commit. Each schema file
 * the cache does not have goes through the pipeline on its own (compile.ts: load → normalize → lint →
 * model → emit); a model whose schema file (and the generator) did not change since the last run comes
 * whole from the cache (incremental/run-cache.ts), summary and files, without being read again.
 * Nothing is kept per model beyond its summary and the hashes of its files: files are staged into the
 * output tree as they come (write/output-tree.ts) and moved in by the commit.
 */
import path from "node:path";
import type { CompileOptions } from "./compile.js";
import type { CompilePool } from "./compile-pool.js";
import { emitIndexFiles, emitRuntimeFiles, packageListingOf } from "./emit/package.js";
import { mapLimit } from "./incremental/cache.js";
import { RunCache } from "./incremental/run-cache.js";
import { duplicateIds, readSchemaText, type SchemaText } from "./load/load.js";
import type { SchemaSource } from "./load/sources.js";
import type { ModelSummary } from "./model/model.js";
import { SchemaErrors, SchemaFileError } from "./shared/errors.js";
import { severityOf, type Note, type SeverityPolicy } from "./shared/notes.js";
import { OutputTree } from "./write/output-tree.js";
import type { TreeDiff } from "./write/write.js";
import { contentHash } from "./shared/content-hash.js";

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
  /** Models compiled in this run (the others came from the cache). */
  emitted: number;
  ms: number;
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  // Every option is read here, once: each part below is handed only what it uses.
  const schemasDirName = path.basename(path.resolve(options.schemasDir));
  const packageName = options.packageName ?? "runcomfy-models";
  const packageOptions = { packageName, packageVersion: options.packageVersion ?? "0.1.0", schemasDirName };
  const policy: SeverityPolicy = { strict: !!options.strict, rules: options.rules };
  const cache = new RunCache({
    schemasDir: options.schemasDir,
    outDir: options.outDir,
    packageName,
    cache: options.cache,
  });
  const output = await OutputTree.open(options.outDir, {
    check: options.check,
    dryRun: options.dryRun,
    lastManifest: cache.lastOutput,
  });
  const errors: SchemaFileError[] = [];

  // 1. sources: every schema file, known by its content hash (unchanged ones unread).
  const sources = await cache.readSources();
  // 2. cache partition: models the cache has come whole from it, their files taken into the output.
  const { hits, misses } = cache.partition(sources, output.onDisk);
  for (const hit of hits) output.take(hit.files);
  // 3. compile (pool): every other schema file through the pipeline; its files staged as they come.
  const compiled = await compileSources(misses, { schemasDirName, packageName, policy }, (source, built) => {
    errors.push(...built.errors);
    if (!built.summary || !built.files) return undefined;
    const hashes = built.files.map(([p, content]): [string, string] => [p, output.put(p, content)]);
    return cache.record(
      source.relPath,
      cache.keyOf(source.relPath, built.textHash),
      built.summary,
      new Map(built.files),
      hashes,
    );
  });
  const models = [...hits.map((h) => h.summary), ...compiled].filter((m): m is ModelSummary => !!m).sort(byId);
  // The run's severities over every model's notes: an error among them (or a duplicate id) fails the run.
  errors.push(...duplicateIds(models, (m) => m.sourcePath).errors);
  const notes = notesAtSeverity(models, policy, errors);
  if (errors.length) {
    output.abort();
    throw new SchemaErrors(sortErrors(errors));
  }

  // 4. package files: those that list every model (unless those on disk list the same), and the runtime.
  const listing = packageListingOf(models, packageOptions);
  const listed = cache.listingOnDisk(listing, output.onDisk);
  if (listed) output.take(listed);
  else
    cache.recordListingFiles(
      listing,
      [...emitIndexFiles(listing)].map(([p, c]) => [p, output.put(p, c)]),
    );
  for (const [p, content] of emitRuntimeFiles()) output.put(p, content);

  // 5. commit: changed files moved in, stale ones removed; then what the next run starts from.
  const diff = await output.commit();
  cache.finish(output.manifest());
  const stale = [...diff.added, ...diff.changed, ...diff.removed].sort();
  return { models, diff, notes, stale, emitted: misses.length, ms: performance.now() - started };
}

/** A compile's outcome, and the hash of the text it compiled. */
type Compiled = Awaited<ReturnType<CompilePool["compile"]>> & { textHash: string };

/**
 * Compiles each source, a few at a time, on the pool (worker threads too when there is work enough
 * for them: compile-pool.ts); `done` takes each result as it comes.
 */
async function compileSources<R>(
  sources: SchemaSource[],
  options: CompileOptions,
  done: (source: SchemaSource, compiled: Compiled) => R,
): Promise<R[]> {
  // The pipeline loads here, not with the CLI: a run whose models all come from the cache never needs it.
  if (!sources.length) return [];
  const { CompilePool, workerThreadsFor } = await import("./compile-pool.js");
  const pool = new CompilePool(options, workerThreadsFor(sources.length));
  try {
    return await mapLimit(sources, 8, async (source) => {
      const { file, relPath } = source;
      const text: SchemaText = source.error
        ? { file, relPath, text: "", error: source.error }
        : { file, relPath, text: "", ...readSchemaText(file) };
      // Keyed by what was read (the file may have changed since it was hashed).
      const textHash = text.error ? source.hash : contentHash(text.text);
      return done(source, { ...(await pool.compile(text)), textHash });
    });
  } finally {
    await pool.close();
  }
}

/** The models' notes at the run's severities (strict mode, the config file's rules); `off` drops them, errors go to `errors`. */
function notesAtSeverity(
  models: ModelSummary[],
  policy: SeverityPolicy,
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
