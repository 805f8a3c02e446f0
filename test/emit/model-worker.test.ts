/**
 * Whole models built on a worker thread give what the main thread gives: the same files byte for
 * byte, the same summary, and the same errors (words, codes, pointers and line/column) for a file
 * that fails. The worker runs the built JavaScript (dist/, made by `npm run build` before the tests).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type * as ModelWorker from "../../generator/emit/model-worker.js";
import { findSchemaFiles } from "../../generator/load/load.js";
import { ROOT, SCHEMAS, tempDir } from "../helpers.js";

const built = (await import(path.join(ROOT, "dist/generator/emit/model-worker.js"))) as typeof ModelWorker;
const tmp = tempDir("rcg-model-worker-");
afterAll(tmp.cleanup);

const ctx = { schemasDirName: "schemas", packageName: "runcomfy-models", policy: { strict: false } };
const textOf = (file: string, text = readFileSync(file, "utf8")) => ({
  file,
  relPath: path.relative(SCHEMAS, file).split(path.sep).join("/"),
  text,
});
const plain = (b: ModelWorker.ModelBuild) => ({
  ...b,
  errors: b.errors.map((e) => ({ ...e, message: e.message, name: e.name })),
});

describe("a model built on a worker thread", () => {
  it("has the files, summary and errors of one built on the main thread", async () => {
    const files = await findSchemaFiles(SCHEMAS);
    const seed = JSON.parse(readFileSync(files[0], "utf8"));
    seed.input_schema.properties.steps = { type: "integer", minimum: 10, maximum: 5 };
    const texts = [
      ...files.map((f) => textOf(f)),
      // Limits no value can pass: an error placed by line and column.
      textOf(files[0], JSON.stringify(seed, null, 2)),
    ];
    const builder = new built.ModelBuilder(ctx, 1);
    try {
      for (const text of texts) {
        const [onWorker, here] = await Promise.all([builder.build(text), built.buildModelFiles(text, ctx)]);
        expect(plain(onWorker)).toEqual(plain(here));
        expect(onWorker.errors.every((e) => e instanceof Error)).toBe(true);
      }
    } finally {
      await builder.close();
    }
    const failed = await built.buildModelFiles(texts.at(-1)!, ctx);
    expect(failed.files).toBeUndefined();
    expect(failed.errors.map((e) => [e.ruleId, e.position?.line])).toEqual([
      ["contradictory-limits", expect.any(Number)],
    ]);
  });

  it("is used for a run of many models on the cores other processes leave idle, not for a few", () => {
    expect(built.workerThreadsFor(5, 2, 0)).toBe(0);
    // A quiet 2-core machine: one worker beside the main thread; a busy one: none.
    expect(built.workerThreadsFor(1000, 2, 0.1)).toBe(1);
    expect(built.workerThreadsFor(1000, 2, 1)).toBe(0);
    expect(built.workerThreadsFor(1000, 2, 9)).toBe(0);
    expect(built.workerThreadsFor(1000, 8, 2)).toBe(5);
    expect(built.workerThreadsFor(1000, 8, 0)).toBe(7);
  });
});
