/**
 * Whole models compiled on a worker thread give what the main thread gives: the same files byte for
 * byte, the same summary, and the same errors (words, codes, pointers and line/column) for a file
 * that fails. The worker runs the built JavaScript (dist/, made by `npm run build` before the tests).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type * as Compile from "../generator/compile.js";
import type * as CompilePool from "../generator/compile-pool.js";
import { findSchemaFiles } from "../generator/load/load.js";
import { ROOT, SCHEMAS } from "./helpers.js";

const built = (await import(path.join(ROOT, "dist/generator/compile-pool.js"))) as typeof CompilePool;
const { compileModel } = (await import(path.join(ROOT, "dist/generator/compile.js"))) as typeof Compile;

const options = { schemasDirName: "schemas", packageName: "runcomfy-models", policy: { strict: false } };
/** compileModel on this thread, as the pool hands results back. */
const compileHere = async (text: ReturnType<typeof textOf>) => {
  const { summary, files, errors } = await compileModel(text, options);
  return { summary, files, errors };
};
const textOf = (file: string, text = readFileSync(file, "utf8")) => ({
  file,
  relPath: path.relative(SCHEMAS, file).split(path.sep).join("/"),
  text,
});
const plain = (b: CompilePool.CompileOutcome) => ({
  ...b,
  errors: b.errors.map((e) => ({ ...e, message: e.message, name: e.name })),
});

describe("a model compiled on a worker thread", () => {
  it("has the files, summary and errors of one built on the main thread", async () => {
    const files = await findSchemaFiles(SCHEMAS);
    const seed = JSON.parse(readFileSync(files[0], "utf8"));
    seed.input_schema.properties.steps = { type: "integer", minimum: 10, maximum: 5 };
    const texts = [
      ...files.map((f) => textOf(f)),
      // Limits no value can pass: an error placed by line and column.
      textOf(files[0], JSON.stringify(seed, null, 2)),
    ];
    const pool = new built.CompilePool(options, 1);
    try {
      for (const text of texts) {
        const [onWorker, here] = await Promise.all([pool.compile(text), compileHere(text)]);
        expect(plain(onWorker)).toEqual(plain(here));
        expect(onWorker.errors.every((e) => e instanceof Error)).toBe(true);
      }
    } finally {
      await pool.close();
    }
    const failed = await compileHere(texts.at(-1)!);
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
