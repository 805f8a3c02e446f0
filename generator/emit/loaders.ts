/**
 * The generated package's loader shards: `loaders/<n>.js` each map their model ids to a literal
 * `import()` of the model's module, so a bundler splits every model into its own chunk, loaded on
 * first use; `loaders.js` (what the root entry imports) holds only one literal `import()` per shard
 * and picks the shard from a hash of the id. Importing the root and loading one model reads the
 * same few kilobytes of loader code for 100 models or 10,000, plus the ids themselves, front-coded
 * in one string), for the synchronous `isModelId`.
 */

/** Models per shard (about a hundred lines of `"id": () => import("…")`). */
export const SHARD_SIZE = 128;

/**
 * FNV-1a over the id's UTF-16 code units, as the generated `loaders.js` computes it
 * (templates/loaders.js.hbs): both sides must agree, test/emit/loaders.test.ts checks they do.
 */
export function shardHash(modelId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < modelId.length; i++) {
    h ^= modelId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Sorted ids front-coded in one string: each entry is the length (base 36) of the prefix it shares
 * with the entry before, ":", and the rest. Ids never hold "," or ":" (MODEL_ID_PATTERN), so the
 * generated `loaders.js` splits on them; test/emit/loaders.test.ts decodes every id back.
 */
export function frontCodedIds(sortedIds: readonly string[]): string {
  let prev = "";
  return sortedIds
    .map((id) => {
      let shared = 0;
      while (shared < prev.length && shared < id.length && prev[shared] === id[shared]) shared++;
      prev = id;
      return `${shared.toString(36)}:${id.slice(shared)}`;
    })
    .join(",");
}

export const shardCount = (models: number) => Math.max(1, Math.ceil(models / SHARD_SIZE));

type Render = (template: string, context: object) => string;

/** `loaders.js`, `loaders.d.ts` and one `loaders/<n>.js` per shard, for `[modelId, module path]` pairs sorted by id. */
export function emitLoaderFiles(
  models: [modelId: string, modulePath: string][],
  source: string,
  render: Render,
): Map<string, string> {
  const count = shardCount(models.length);
  const shards = Array.from({ length: count }, () => [] as { modelId: string; importPath: string }[]);
  for (const [modelId, modulePath] of models)
    shards[shardHash(modelId) % count].push({ modelId, importPath: `../${modulePath}` });
  const files = new Map<string, string>();
  files.set("loaders.d.ts", render("loaders.d.ts.hbs", { source }));
  files.set(
    "loaders.js",
    render("loaders.js.hbs", {
      source,
      shards: shards.map((_, n) => ({ importPath: `./loaders/${n}.js` })),
      ids: frontCodedIds(models.map(([modelId]) => modelId)),
    }),
  );
  shards.forEach((entries, n) =>
    files.set(`loaders/${n}.js`, render("loader-shard.js.hbs", { source, models: entries })),
  );
  return files;
}
