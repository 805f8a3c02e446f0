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
import type { TreeManifest } from "../write/write.js";
import { contentHash } from "../shared/content-hash.js";
import { cacheDirFor, EmitCache, cacheKey } from "./cache.js";
import { RunIndex, type CachedModel } from "./run-index.js";

export interface RunCacheOptions {
  schemasDir: string;
  outDir: string;
  packageName: string;
  /** Cache folder; `false` turns caching off. Default: node_modules/.cache/runcomfy-codegen in the process folder's project (cacheDirFor). */
  cache?: string | false;
}

/** Whether the output folder holds this file with this hash now. */
export type OnDisk = (path: string, hash: string) => boolean;

/** A file the next output tree takes from the cache: its hash, and its content when the disk does not hold it. */
export type CachedFile = [path: string, hash: string, content?: string];

/** A model found in the cache: its summary and its files. */
export interface CacheHit {
  summary: ModelSummary;
  files: CachedFile[];
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
   * The sources whose models the cache has (see `lookup`) and those that must be compiled. The last
   * run's index is let go afterwards: what it held of these models is in this run's index now.
   */
  partition(sources: SchemaSource[], onDisk: OnDisk): { hits: CacheHit[]; misses: SchemaSource[] } {
    const hits: CacheHit[] = [];
    const misses: SchemaSource[] = [];
    for (const source of sources) {
      const hit = this.lookup(source, onDisk);
      if (hit) hits.push(hit);
      else misses.push(source);
    }
    this.index.release();
    return { hits, misses };
  }

  /**
   * A model from the cache: each file with its content where the disk does not hold it unchanged (put
   * back from the file cache); undefined when any such file is missing, so the model is compiled again.
   */
  lookup(source: SchemaSource, onDisk: OnDisk): CacheHit | undefined {
    if (source.error) return undefined;
    const key = this.keyOf(source.relPath, source.hash);
    const meta = this.index.lastEntry(source.relPath, key) ?? this.store.getSync<CachedModel>("models", key);
    if (!meta) return undefined;
    const files: CachedFile[] = [];
    let stored: Map<string, string> | undefined;
    for (const [p, hash] of meta.hashes) {
      if (onDisk(p, hash)) {
        files.push([p, hash]);
        continue;
      }
      stored ??= new Map(this.store.getSync<[string, string][]>("files", key) ?? []);
      const content = stored.get(p);
      if (content === undefined || contentHash(content) !== hash) return undefined;
      files.push([p, hash, content]);
    }
    this.index.set(source.relPath, key, meta);
    return { summary: meta.summary, files };
  }

  /**
   * Records a model just compiled (`hashes`: its files' hashes, as the output tree has them).
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
   * The files that list every model, as they are on disk, when they were rendered from the same
   * listing (and the same generator) and none was changed since; undefined when they must be rendered.
   */
  listingOnDisk(listing: PackageListing, onDisk: OnDisk): [path: string, hash: string][] | undefined {
    const hashes = this.store.getSync<[string, string][]>("listings", listingKey(listing));
    return hashes?.every(([p, hash]) => onDisk(p, hash)) ? hashes : undefined;
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
