/**
 * A run's cache state, apart from the stages: what the last run left (the output tree's manifest,
 * the schema files' manifest, the index of every model's cache entry) and what this run records.
 * A model whose schema file (and the generator) did not change comes whole from here — summary and
 * emitted files — without being read or parsed again.
 */
import path from "node:path";
import type { PackageListing } from "../emit/package.js";
import type { ModelSummary } from "../model/model.js";
import { readSchemaSources, type SchemaSource, type SourceManifest } from "../load/sources.js";
import { hasOwn } from "../shared/errors.js";
import type { OutputTree } from "../write/output-tree.js";
import { contentHash, type TreeManifest } from "../write/write.js";
import { cacheDirFor, EmitCache, cacheKey } from "./cache.js";
import { RunIndex, type CachedModel } from "./run-index.js";

export interface RunCacheOptions {
  schemasDir: string;
  outDir: string;
  packageName: string;
  /** Cache folder; `false` turns caching off. Default: node_modules/.cache/runcomfy-codegen in the process folder's project (cacheDirFor). */
  cache?: string | false;
}

const listingKey = (listing: PackageListing) => cacheKey("listing", JSON.stringify(listing));

/** Whether two manifests have the same entries (compared entry by entry: no catalog-sized JSON built to compare). */
function sameManifest(a: TreeManifest, b: TreeManifest | undefined): boolean {
  if (!b) return false;
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const [x, y] = [a[k], hasOwn(b, k) ? b[k] : undefined];
    return !!y && x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
  });
}

export class RunCache {
  private readonly store: EmitCache;
  private readonly schemasDirName: string;
  private readonly treeKey: string;
  private readonly sourcesKey: string;
  private readonly runKey: string;
  /** The output tree as the last write left it. */
  readonly lastOutput: TreeManifest | undefined;
  private readonly lastSources: SourceManifest | undefined;
  private readonly index: RunIndex;
  private sourceManifest: SourceManifest | undefined;
  private sourcesRead = false;

  constructor(private readonly options: RunCacheOptions) {
    this.store = new EmitCache(options.cache === false ? undefined : (options.cache ?? cacheDirFor(process.cwd())));
    this.schemasDirName = path.basename(path.resolve(options.schemasDir));
    this.treeKey = contentHash(path.resolve(options.outDir));
    this.sourcesKey = contentHash(`sources\0${path.resolve(options.schemasDir)}`);
    this.runKey = contentHash(`run\0${this.treeKey}\0${this.sourcesKey}`);
    this.lastOutput = this.store.getSync<TreeManifest>("trees", this.treeKey);
    this.lastSources = this.store.getSync<SourceManifest>("trees", this.sourcesKey);
    this.index = new RunIndex(this.store, this.runKey);
  }

  /**
   * Every schema file with its content hash: files unchanged since the last run (size and mtime) are
   * known by their recorded hash, unread. Texts are not kept (10,000 of them would be hundreds of MB).
   */
  async readSources(): Promise<SchemaSource[]> {
    const { sources, manifest } = await readSchemaSources(this.options.schemasDir, this.lastSources, false);
    this.sourceManifest = manifest;
    this.sourcesRead = sources.some((s) => s.read);
    return sources;
  }

  /** The cache key of a model: the generator, the file's place, the package name and the file's content. */
  keyOf(relPath: string, textHash: string): string {
    return cacheKey("model", `${this.schemasDirName}/${relPath}`, this.options.packageName, textHash);
  }

  /**
   * Each source's model from the cache (see `lookup`), or undefined where it must be emitted. The last
   * run's index is let go afterwards: what it held of these models is in this run's index now.
   */
  lookupAll(sources: SchemaSource[], output: OutputTree): (ModelSummary | undefined)[] {
    const found = sources.map((source) => this.lookup(source, output));
    this.index.release();
    return found;
  }

  /**
   * A model from the cache, its files taken into `output` (kept when on disk unchanged, else put back
   * from the file cache); undefined when any file is missing, so the model is emitted again.
   */
  lookup(source: SchemaSource, output: OutputTree): ModelSummary | undefined {
    if (source.error) return undefined;
    const key = this.keyOf(source.relPath, source.hash);
    const meta = this.index.lastEntry(source.relPath, key) ?? this.store.getSync<CachedModel>("models", key);
    if (!meta) return undefined;
    const restore = new Map<string, string>();
    let stored: Map<string, string> | undefined;
    for (const [p, hash] of meta.hashes) {
      if (output.onDisk(p, hash)) continue;
      stored ??= new Map(this.store.getSync<[string, string][]>("files", key) ?? []);
      const content = stored.get(p);
      if (content === undefined || contentHash(content) !== hash) return undefined;
      restore.set(p, content);
    }
    for (const [p, hash] of meta.hashes) {
      const content = restore.get(p);
      if (content === undefined) output.keep(p, hash);
      else output.put(p, content);
    }
    this.index.set(source.relPath, key, meta);
    return meta.summary;
  }

  /**
   * Records a model just emitted (its files already put into the output tree, `hashes` theirs).
   * Returns the summary as kept for the rest of the run: a copy, because the parser's strings are
   * slices of the schema file's text and one id would otherwise hold the whole file in memory.
   */
  record(
    relPath: string,
    key: string,
    summary: ModelSummary,
    files: Map<string, string>,
    hashes: [string, string][],
  ): ModelSummary {
    const entry: CachedModel = JSON.parse(JSON.stringify({ summary, hashes }));
    this.store.set("files", key, [...files]);
    this.store.set("models", key, entry);
    this.index.set(relPath, key, entry);
    return entry.summary;
  }

  /**
   * Keeps the files that list every model as they are on disk when they were rendered from the same
   * listing (and the same generator) and none was changed since; false when they must be rendered.
   */
  keepListingFiles(listing: PackageListing, output: OutputTree): boolean {
    const hashes = this.store.getSync<[string, string][]>("listings", listingKey(listing));
    if (!hashes?.every(([p, hash]) => output.onDisk(p, hash))) return false;
    for (const [p, hash] of hashes) output.keep(p, hash);
    return true;
  }

  /** Records the hashes of the files just rendered from `listing`. */
  recordListingFiles(listing: PackageListing, hashes: [string, string][]): void {
    this.store.set("listings", listingKey(listing), hashes);
  }

  /**
   * Writes what the next run starts from: the output's manifest and the run index when the output was
   * written (`written`, the manifest of what is on disk now), and the schema files' manifest whenever a
   * schema file had to be read (changed, new, or too recent to trust), so its entry is dated by this run.
   */
  finish(written: TreeManifest | undefined): void {
    if (written) {
      if (!sameManifest(written, this.lastOutput)) this.store.set("trees", this.treeKey, written);
      this.index.save();
    }
    const manifest = this.sourceManifest;
    if (
      manifest &&
      (this.sourcesRead || Object.keys(manifest.files).length !== Object.keys(this.lastSources?.files ?? {}).length)
    )
      this.store.set("trees", this.sourcesKey, manifest);
  }
}
