/**
 * The run cache on its own: a model recorded in one run is found in the next (its files kept when on
 * disk unchanged, put back from the file cache when not), a changed schema file or a lost cached file
 * is a miss, and only a run that wrote the output leaves an index and manifest for the next one.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunCache, type RunCacheOptions } from "../../generator/incremental/run-cache.js";
import type { PackageListing } from "../../generator/emit/package.js";
import type { SchemaSource } from "../../generator/load/sources.js";
import type { ModelSummary } from "../../generator/model/model.js";
import { OutputTree } from "../../generator/write/output-tree.js";

import { tempDir, readTree } from "../helpers.js";

const tmp = tempDir("rcg-run-cache-");
afterAll(tmp.cleanup);

const PACKAGE_JSON = '{"generatedBy":"runcomfy-codegen test"}\n';
const summary = (modelId: string): ModelSummary => ({
  modelId,
  sourcePath: `schemas/${modelId}.json`,
  modulePath: `models/${modelId}`,
  exportPath: `./${modelId}`,
  notes: [],
  pricing: null,
});

/** A folder with schemas/, out/ and cache/; `schemas` maps ids to file texts. */
function workspace(name: string, schemas: Record<string, string>): RunCacheOptions & { cache: string } {
  const root = path.join(tmp.dir, name);
  const dirs = {
    schemasDir: path.join(root, "schemas"),
    outDir: path.join(root, "out"),
    cache: path.join(root, "cache"),
  };
  for (const [id, text] of Object.entries(schemas)) {
    mkdirSync(path.dirname(path.join(dirs.schemasDir, `${id}.json`)), { recursive: true });
    writeFileSync(path.join(dirs.schemasDir, `${id}.json`), text);
  }
  return { ...dirs, packageName: "pkg" };
}

type Workspace = RunCacheOptions & { schemasDir: string; outDir: string };

/** One run as generate does it: look each source up, "emit" the misses (a file per model), write, finish. */
async function run(ws: Workspace, emit = (id: string) => `// ${id}\n`) {
  const cache = new RunCache(ws);
  const output = await OutputTree.open(ws.outDir, { lastManifest: cache.lastOutput });
  const sources = await cache.readSources();
  const hits: string[] = [];
  const emitted: string[] = [];
  for (const source of sources) {
    const id = source.relPath.replace(/\.json$/, "");
    const hit = cache.lookup(source, output.onDisk);
    if (hit) {
      output.take(hit.files);
      hits.push(id);
      continue;
    }
    const files = new Map([[`models/${id}.js`, emit(id)]]);
    const hashes = [...files].map(([p, c]): [string, string] => [p, output.put(p, c)]);
    cache.record(source.relPath, cache.keyOf(source.relPath, source.hash), summary(id), files, hashes);
    emitted.push(id);
  }
  output.put("package.json", PACKAGE_JSON);
  const diff = await output.commit();
  cache.finish(output.manifest());
  return { hits, emitted, diff };
}

describe("the run cache", () => {
  it("finds an unchanged model in the next run; a changed schema file is a miss", async () => {
    const ws = workspace("basic", { "a/one": '{"x":1}', "a/two": '{"x":2}' });
    expect((await run(ws)).emitted).toEqual(["a/one", "a/two"]);
    const second = await run(ws);
    expect(second).toMatchObject({ hits: ["a/one", "a/two"], emitted: [] });
    expect(second.diff.unchanged).toEqual(["models/a/one.js", "models/a/two.js", "package.json"]);
    writeFileSync(path.join(ws.schemasDir, "a/two.json"), '{"x":22}');
    expect(await run(ws)).toMatchObject({ hits: ["a/one"], emitted: ["a/two"] });
  });

  it("puts back from the file cache a file removed from the output, without emitting the model again", async () => {
    const ws = workspace("restore", { "a/one": '{"x":1}' });
    await run(ws);
    rmSync(path.join(ws.outDir, "models/a/one.js"));
    const again = await run(ws, () => "emitted again\n");
    expect(again).toMatchObject({ hits: ["a/one"], emitted: [] });
    expect(again.diff.added).toEqual(["models/a/one.js"]);
    expect((await readTree(ws.outDir)).get("models/a/one.js")).toBe("// a/one\n");
  });

  it("emits again a model whose file is neither on disk nor in the file cache", async () => {
    const ws = workspace("lost", { "a/one": '{"x":1}' });
    await run(ws);
    rmSync(path.join(ws.outDir, "models/a/one.js"));
    rmSync(path.join(ws.cache, "files"), { recursive: true });
    expect(await run(ws)).toMatchObject({ hits: [], emitted: ["a/one"] });
  });

  it("with the cache off, every model is a miss and nothing is stored", async () => {
    const ws = { ...workspace("off", { "a/one": '{"x":1}' }), cache: false as const };
    await run(ws);
    expect(await run(ws)).toMatchObject({ hits: [], emitted: ["a/one"] });
    expect(readdirSync(path.dirname(ws.outDir))).toEqual(["out", "schemas"]);
  });

  it("a run that writes nothing (--check) leaves no output manifest or index behind", async () => {
    const ws = workspace("check", { "a/one": '{"x":1}' });
    const cache = new RunCache(ws);
    const output = await OutputTree.open(ws.outDir, { lastManifest: cache.lastOutput, check: true });
    for (const source of await cache.readSources()) {
      expect(cache.lookup(source, output.onDisk)).toBeUndefined();
      const hash = output.put("models/a/one.js", "x");
      cache.record(source.relPath, cache.keyOf(source.relPath, source.hash), summary("a/one"), new Map(), [
        ["models/a/one.js", hash],
      ]);
    }
    expect((await output.commit()).added).toEqual(["models/a/one.js"]);
    expect(output.manifest()).toBeUndefined();
    cache.finish(output.manifest());
    expect(readdirSync(ws.cache).sort()).toEqual(["files", "models", "trees"]);
    expect(readdirSync(path.join(ws.cache, "trees"))).toHaveLength(1); // the schema files' manifest only
  });

  it("a source that could not be read is never taken from the cache", async () => {
    const ws = workspace("unreadable", { "a/one": '{"x":1}' });
    await run(ws);
    const cache = new RunCache(ws);
    const output = await OutputTree.open(ws.outDir, { lastManifest: cache.lastOutput });
    const [source] = await cache.readSources();
    const broken: SchemaSource = { ...source, error: new Error("not UTF-8") as never };
    expect(cache.lookup(broken, output.onDisk)).toBeUndefined();
    expect(cache.lookup(source, output.onDisk)?.summary.modelId).toBe("a/one");
  });

  it("keeps the files that list every model when the listing is the same and they are on disk unchanged", async () => {
    const ws = workspace("listing", { "a/one": "{}" });
    const listing = (ids: string[]): PackageListing => ({
      options: { packageName: "pkg", packageVersion: "1.0.0", schemasDirName: "schemas" },
      models: ids.map((id) => [id, `models/${id}`]),
    });
    /** One run's package-wide step; returns whether the files were kept rather than rendered. */
    const step = async (ids: string[]) => {
      const cache = new RunCache(ws);
      const output = await OutputTree.open(ws.outDir, { lastManifest: cache.lastOutput });
      await cache.readSources();
      const onDisk = cache.listingOnDisk(listing(ids), output.onDisk);
      if (onDisk) output.take(onDisk);
      else
        cache.recordListingFiles(listing(ids), [
          ["models.js", output.put("models.js", ids.join("\n"))],
          ["package.json", output.put("package.json", PACKAGE_JSON)],
        ]);
      await output.commit();
      cache.finish(output.manifest());
      return !!onDisk;
    };
    expect(await step(["a", "b"])).toBe(false);
    expect(await step(["a", "b"])).toBe(true);
    expect((await readTree(ws.outDir)).get("models.js")).toBe("a\nb");
    expect(await step(["a", "c"])).toBe(false);
    expect((await readTree(ws.outDir)).get("models.js")).toBe("a\nc");
    // Edited by hand: rendered again even though the listing is one the cache knows.
    writeFileSync(path.join(ws.outDir, "models.js"), "edited");
    expect(await step(["a", "c"])).toBe(false);
    expect((await readTree(ws.outDir)).get("models.js")).toBe("a\nc");
  });
});
