/**
 * The run index in shards: the next run finds each entry under its key, and a run rewrites only the
 * shards where an entry is new, changed or gone.
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shardHash } from "../../generator/emit/loaders.js";
import { EmitCache } from "../../generator/incremental/cache.js";
import { RUN_INDEX_SHARDS, RunIndex, type CachedModel } from "../../generator/incremental/run-index.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-run-index-");
afterAll(tmp.cleanup);

/** An EmitCache that counts what it writes. */
class CountingCache extends EmitCache {
  written: string[] = [];
  override set(kind: string, key: string, value: unknown): void {
    this.written.push(`${kind}/${key}`);
    super.set(kind, key, value);
  }
}

const entry = (id: string): CachedModel => ({
  summary: {
    modelId: id,
    sourcePath: `schemas/${id}.json`,
    modulePath: `models/${id}`,
    exportPath: `./${id}`,
    notes: [],
    pricing: null,
  },
  hashes: [[`models/${id}.js`, `hash-of-${id}`]],
});

const paths = Array.from({ length: 300 }, (_, i) => `v${i % 7}/model-${i}.json`);

describe("the run index", () => {
  it("finds entries under their key in the next run, and rewrites only the shards that changed", () => {
    const dir = path.join(tmp.dir, "cache");
    const first = new CountingCache(dir);
    const index = new RunIndex(first, "run");
    for (const p of paths) index.set(p, `key-${p}`, entry(p));
    index.save();
    // One file per shard that has entries (an empty shard is never written).
    expect(first.written.length).toBe(new Set(paths.map((p) => shardHash(p) % RUN_INDEX_SHARDS)).size);
    expect(first.written.length).toBeGreaterThan(RUN_INDEX_SHARDS / 2);

    const second = new CountingCache(dir);
    const again = new RunIndex(second, "run");
    expect(again.lastEntry(paths[5], `key-${paths[5]}`)).toEqual(entry(paths[5]));
    expect(again.lastEntry(paths[5], "another key")).toBeUndefined();
    again.release();
    expect(again.lastEntry(paths[5], `key-${paths[5]}`)).toBeUndefined();
    for (const p of paths) again.set(p, p === paths[7] ? "changed" : `key-${p}`, entry(p));
    again.save();
    expect(second.written).toHaveLength(1);

    // One entry gone: its shard is rewritten without it; nothing else is.
    const third = new CountingCache(dir);
    const removed = new RunIndex(third, "run");
    for (const p of paths.slice(1)) removed.set(p, p === paths[7] ? "changed" : `key-${p}`, entry(p));
    removed.save();
    expect(third.written).toHaveLength(1);
    const fourth = new RunIndex(new EmitCache(dir), "run");
    expect(fourth.lastEntry(paths[0], `key-${paths[0]}`)).toBeUndefined();
    expect(fourth.lastEntry(paths[7], "changed")).toEqual(entry(paths[7]));
  });
});
