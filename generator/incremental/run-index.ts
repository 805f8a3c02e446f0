/**
 * Every model's cache entry (its key, summary and file hashes) as the last run left it, and as this
 * run records it, in shards by schema file path: a run reads a few dozen files instead of one per
 * model, and a run that changes one model rewrites one shard instead of the whole catalog's index.
 */
import { shardHash } from "../emit/loaders.js";
import type { ModelSummary } from "../model/model.js";
import { hasOwn } from "../shared/errors.js";
import type { EmitCache } from "./cache.js";

/**
 * A cached model: its summary and a hash of each emitted file (small, read for every model on every
 * run); the files themselves are cached apart and read only when the output on disk does not
 * already hold them.
 */
export interface CachedModel {
  summary: ModelSummary;
  hashes: [string, string][];
}

type Shard = Record<string, [key: string, entry: CachedModel]>;

/** Enough that one shard of a large catalog stays a small file, few enough that a small one reads few files. */
export const RUN_INDEX_SHARDS = 64;

const shardOf = (relPath: string) => shardHash(relPath) % RUN_INDEX_SHARDS;

export class RunIndex {
  /** The last run's entries, until `release`. */
  private last: Shard[];
  /** Each entry's key in the last run, and how many entries each shard had (kept after `release`). */
  private readonly lastKeys = new Map<string, string>();
  private readonly lastCounts: number[];
  private readonly next: Shard[] = Array.from({ length: RUN_INDEX_SHARDS }, () => ({}));
  private readonly changed = new Set<number>();

  constructor(
    private readonly store: EmitCache,
    private readonly runKey: string,
  ) {
    this.last = Array.from(
      { length: RUN_INDEX_SHARDS },
      (_, n) => store.getSync<Shard>("runs", `${runKey}-${n}`) ?? {},
    );
    this.lastCounts = this.last.map((shard) => {
      for (const [relPath, [key]] of Object.entries(shard)) this.lastKeys.set(relPath, key);
      return Object.keys(shard).length;
    });
  }

  /** The last run's entry for a schema file, if it had one under this key. */
  lastEntry(relPath: string, key: string): CachedModel | undefined {
    const shard = this.last[shardOf(relPath)];
    const found = hasOwn(shard, relPath) ? shard[relPath] : undefined;
    return found?.[0] === key ? found[1] : undefined;
  }

  /** Lets go of the last run's entries (what this run needs of them it has recorded with `set`). */
  release(): void {
    this.last = this.last.map(() => ({}));
  }

  /** Records a schema file's entry for this run. */
  set(relPath: string, key: string, entry: CachedModel): void {
    const n = shardOf(relPath);
    this.next[n][relPath] = [key, entry];
    if (this.lastKeys.get(relPath) !== key) this.changed.add(n);
  }

  /** Writes the shards that differ from the last run's (an entry new or changed, or one gone). */
  save(): void {
    this.next.forEach((shard, n) => {
      if (this.changed.has(n) || Object.keys(shard).length !== this.lastCounts[n])
        this.store.set("runs", `${this.runKey}-${n}`, shard);
    });
  }
}
