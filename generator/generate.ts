/**
 * The pipeline: load → normalize → lint (the normalizer's notes) → intermediate model → emit → write.
 * A model whose schema file (and the generator) did not change since the last run comes whole from
 * the cache — summary and emitted files — without being parsed again.
 */
import path from "node:path";
import { DEFAULT_CACHE_DIR, EmitCache, cacheKey, mapLimit } from "./incremental/cache.js";
import { hasOwn, SchemaErrors, SchemaFileError } from "./shared/errors.js";
import { emitIndexFiles, emitModelFiles, emitRuntimeFiles, type FileMap } from "./emit/package.js";
import { canUseWorker, ValidatorWorker } from "./emit/validator-worker.js";
import {
  duplicateIds,
  readSchemaSources,
  readSchemaText,
  readSchemaTexts,
  type SchemaText,
  type SourceManifest,
} from "./load/load.js";
import { analyzeSchemaText, errorsOf } from "./lint/analyze.js";
import { summarize, type ModelIR, type ModelSummary } from "./model/model.js";
import { severityOf, type Note, type SeverityPolicy } from "./shared/notes.js";
import {
  assertGeneratedDir,
  contentHash,
  diffTree,
  hashTree,
  manifestOf,
  recoverInterruptedWrite,
  type OutputFile,
  type TreeDiff,
  type TreeManifest,
} from "./write/write.js";
import { StagedWrite } from "./write/staged.js";

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
  /** Cache folder for emitted files; `false` turns caching off. Default node_modules/.cache/runcomfy-codegen. */
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

const sameManifest = (a: TreeManifest, b: TreeManifest | undefined) => !!b && JSON.stringify(a) === JSON.stringify(b);

const byId = <T extends { modelId: string }>(a: T, b: T) =>
  a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0;

function sortErrors(errors: SchemaFileError[]): SchemaFileError[] {
  return errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.pointer < b.pointer ? -1 : 1));
}

/** Analyzes one schema file; its errors are collected, its model returned when it has none. */
function analyze(
  source: SchemaText,
  schemasDirName: string,
  strict: boolean | SeverityPolicy,
  errors: SchemaFileError[],
): ModelIR | undefined {
  let analysis = analyzeSchemaText(source, { schemasDirName, strict });
  // Errors are placed by line and column too (the same places lint gives), at the cost of a second parse.
  if (!analysis.model) analysis = analyzeSchemaText(source, { schemasDirName, strict, withPositions: true });
  errors.push(...errorsOf(analysis));
  return analysis.model;
}

/** Loads and models every schema file (no cache); all problems are collected into one SchemaErrors. */
export async function buildModels(
  schemasDir: string,
  strict: boolean | SeverityPolicy = false,
): Promise<{ models: ModelIR[]; notes: GenerateResult["notes"] }> {
  const schemasDirName = path.basename(path.resolve(schemasDir));
  const errors: SchemaFileError[] = [];
  const built = (await readSchemaTexts(schemasDir))
    .map((t) => analyze(t, schemasDirName, strict, errors))
    .filter((m): m is ModelIR => !!m);
  const { keep: models, errors: duplicates } = duplicateIds(built, (m) => m.sourcePath);
  errors.push(...duplicates);
  const notes = collectNotes(models, strict, errors);
  if (errors.length) throw new SchemaErrors(sortErrors(errors));
  return { models: models.sort(byId), notes };
}

/** Notes to print, at the run's severities (strict mode, the config file's rules); `off` drops them. */
function collectNotes(
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

/**
 * A cached model: its summary and a hash of each emitted file (small, read for
 * every model on every run); the files themselves are cached apart and read only when the output
 * on disk does not already hold them.
 */
interface CachedModel {
  summary: ModelSummary;
  hashes: [string, string][];
}

interface EmittedModel extends CachedModel {
  files: [string, OutputFile][];
}

/** Every model's cache entry from the last run, in one file (one read instead of one per model). */
type RunIndex = Record<string, [key: string, entry: CachedModel]>;

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const cache = new EmitCache(options.cache === false ? undefined : (options.cache ?? DEFAULT_CACHE_DIR));
  const schemasDirName = path.basename(path.resolve(options.schemasDir));
  const packageOptions = {
    packageName: options.packageName ?? "runcomfy-models",
    packageVersion: options.packageVersion ?? "0.1.0",
    schemasDirName,
  };
  const errors: SchemaFileError[] = [];

  // A run killed between its two renames left the previous tree aside: put it back first (also for --check).
  await recoverInterruptedWrite(options.outDir);
  const treeKey = contentHash(path.resolve(options.outDir));
  const lastTree = cache.getSync<TreeManifest>("trees", treeKey);
  const seen: TreeManifest = {};
  // The files the last write left, each stat-ed against its manifest; --check (or no manifest) also walks the tree for strays.
  const existing = hashTree(options.outDir, lastTree, seen, !!options.check);
  // Changed files go to a staging folder as they are emitted (nothing kept in memory), committed at the end.
  const staged = options.check || options.dryRun ? undefined : new StagedWrite(options.outDir);
  /** A file of the new tree: staged unless it is on disk unchanged; only its hash is kept. */
  const output = (p: string, content: string): OutputFile => {
    const hash = contentHash(content);
    if (existing.get(p) !== hash) staged?.write(p, content);
    return { hash };
  };

  // Schema files unchanged since the last run (size and mtime) are known by their recorded hash, unread.
  const sourcesKey = contentHash(`sources\0${path.resolve(options.schemasDir)}`);
  const lastSources = cache.getSync<SourceManifest>("trees", sourcesKey);
  // Texts are not kept (10,000 of them would be hundreds of MB): a model to emit reads its file again.
  const { sources, manifest: sourceManifest } = await readSchemaSources(options.schemasDir, lastSources, false);
  const runKey = contentHash(`run\0${treeKey}\0${sourcesKey}`);
  const lastRun = cache.getSync<RunIndex>("runs", runKey) ?? {};
  const run: RunIndex = {};

  // A cached model is whole when each of its files is on disk unchanged or in the file cache.
  const lookups = sources.map((t) => {
    // A file that cannot be read as text is an error whatever the cache holds.
    if (t.error)
      return {
        key: "",
        cached: undefined,
        source: t,
        text: { file: t.file, relPath: t.relPath, text: "", error: t.error } as SchemaText | undefined,
      };
    const key = cacheKey("model", `${schemasDirName}/${t.relPath}`, packageOptions.packageName, t.hash);
    const known = hasOwn(lastRun, t.relPath) && lastRun[t.relPath][0] === key ? lastRun[t.relPath][1] : undefined;
    const meta = known ?? cache.getSync<CachedModel>("models", key);
    let cached: EmittedModel | undefined;
    if (meta) {
      const files: [string, OutputFile][] = [];
      let stored: Map<string, string> | undefined;
      for (const [p, hash] of meta.hashes) {
        if (existing.get(p) === hash) {
          files.push([p, { hash }]);
          continue;
        }
        stored ??= new Map(cache.getSync<[string, string][]>("files", key) ?? []);
        const content = stored.get(p);
        if (content === undefined || contentHash(content) !== hash) break;
        files.push([p, output(p, content)]);
      }
      if (files.length === meta.hashes.length) {
        cached = { ...meta, files };
        run[t.relPath] = [key, meta];
      }
    }
    return { key, cached, source: t, text: undefined as SchemaText | undefined };
  });

  // Cache misses: each is parsed, modelled and emitted in one go; only its output is kept.
  const misses = lookups.filter((l) => !l.cached);
  // Validators compile on a second thread when there is work enough for it (and the generator runs built).
  const worker = misses.length >= 20 && canUseWorker() ? new ValidatorWorker() : undefined;
  const fresh = await mapLimit(misses, 8, async (miss) => {
    const relPath = miss.source.relPath;
    // Read now, one file at a time; keyed by what was read (the file may have changed since it was hashed).
    const read = miss.text ?? { file: miss.source.file, relPath, text: "", ...readSchemaText(miss.source.file) };
    if (read.text && contentHash(read.text) !== miss.source.hash)
      miss.key = cacheKey("model", `${schemasDirName}/${relPath}`, packageOptions.packageName, contentHash(read.text));
    const ir = analyze(read as SchemaText, schemasDirName, { strict: !!options.strict, rules: options.rules }, errors);
    if (!ir) return undefined;
    try {
      const files = [
        ...(await emitModelFiles(ir, {
          compile: worker ? (s) => worker.compile(s) : undefined,
          packageName: packageOptions.packageName,
        })),
      ];
      const summary = summarize(ir);
      const outputs = files.map(([p, content]): [string, OutputFile] => [p, output(p, content)]);
      const entry: EmittedModel = { summary, hashes: outputs.map(([p, o]) => [p, o.hash]), files: outputs };
      cache.set("files", miss.key, files);
      cache.set("models", miss.key, { summary: entry.summary, hashes: entry.hashes } satisfies CachedModel);
      run[relPath] = [miss.key, { summary: entry.summary, hashes: entry.hashes }];
      return entry;
    } catch (e) {
      if (e instanceof SchemaFileError) errors.push(e);
      else throw e;
      return undefined;
    }
  });
  await worker?.close();
  const entries = [
    ...lookups.flatMap((l) => (l.cached ? [l.cached] : [])),
    ...fresh.filter((e): e is EmittedModel => !!e),
  ].sort((a, b) => byId(a.summary, b.summary));
  const models = entries.map((e) => e.summary);

  errors.push(...duplicateIds(models, (m) => m.sourcePath).errors);
  const notes = collectNotes(models, { strict: !!options.strict, rules: options.rules }, errors);
  if (errors.length) {
    staged?.abort();
    throw new SchemaErrors(sortErrors(errors));
  }

  const files = new Map<string, OutputFile>();
  for (const e of entries) for (const [p, f] of e.files) files.set(p, f);
  const whole = (map: FileMap) => {
    for (const [p, content] of map) files.set(p, output(p, content));
  };
  whole(emitIndexFiles(models, packageOptions));
  whole(emitRuntimeFiles());
  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  const diff = diffTree(existing, sorted);
  if (!options.check && !options.dryRun) {
    try {
      await assertGeneratedDir(options.outDir, existing);
    } catch (e) {
      staged?.abort();
      throw e;
    }
    staged!.commit(diff.removed);
    // What is on disk now, for the next run to trust without reading (unless a file changed since).
    const manifest = manifestOf(options.outDir, new Map([...sorted].map(([p, f]) => [p, f.hash])), seen);
    if (!sameManifest(manifest, lastTree)) cache.set("trees", treeKey, manifest);
    if (Object.keys(run).length !== Object.keys(lastRun).length || fresh.some(Boolean)) cache.set("runs", runKey, run);
  }
  // Rewritten whenever a schema file had to be read (changed, new, or too recent to trust), so its
  // entry is dated by this run; a run that read none leaves the manifest as it was.
  if (
    sources.some((t) => t.read) ||
    Object.keys(sourceManifest.files).length !== Object.keys(lastSources?.files ?? {}).length
  )
    cache.set("trees", sourcesKey, sourceManifest);
  const stale = [...diff.added, ...diff.changed, ...diff.removed].sort();
  return { models, diff, notes, stale, emitted: fresh.length, ms: performance.now() - started };
}
