/**
 * The generated package's loader layout: the shard a model id lands in is the same whether the
 * generator (TypeScript) or the generated loaders.js computes it, for every id; a bundle of the root
 * entry splits each model into its own chunk, loaded on first use, with no bundler warnings.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { emitLoaderFiles, shardCount, SHARD_SIZE } from "../../generator/emit/loaders.js";
import { render } from "../../generator/emit/package.js";
import { ROOT, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-loaders-");
afterAll(tmp.cleanup);

describe("loader shards", () => {
  it("every id loads its own module through the generated loaders.js; unknown ids are refused", async () => {
    const ids = Array.from({ length: SHARD_SIZE * 2 + 17 }, (_, i) =>
      `vendor-${i % 7}/model.${i}/v${i % 3}×`.replace("×", i % 2 ? "" : "_x"),
    );
    const dir = path.join(tmp.dir, "pkg");
    mkdirSync(path.join(dir, "runtime"), { recursive: true });
    writeFileSync(
      path.join(dir, "runtime/core.js"),
      "export class UnknownModelError extends Error { constructor(id) { super(id); this.name = 'UnknownModelError'; } }\n",
    );
    const sorted = [...ids].sort();
    const files = emitLoaderFiles(
      sorted.map((id) => [id, `models/${id}`]),
      "schemas/",
      render,
    );
    expect([...files.keys()].filter((p) => p.startsWith("loaders/"))).toHaveLength(shardCount(ids.length));
    expect(shardCount(ids.length)).toBe(3);
    for (const [p, content] of files) {
      mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      writeFileSync(path.join(dir, p), content);
    }
    for (const id of ids) {
      mkdirSync(path.dirname(path.join(dir, `models/${id}.js`)), { recursive: true });
      writeFileSync(path.join(dir, `models/${id}.js`), `export const modelId = ${JSON.stringify(id)};\n`);
    }
    const loaders = await import(pathToFileURL(path.join(dir, "loaders.js")).href);
    for (const id of ids) expect((await loaders.loadModel(id)).modelId).toBe(id);
    // isModelId answers synchronously from the front-coded id list, for every id and no other.
    for (const id of ids) expect(loaders.isModelId(id)).toBe(true);
    for (const unknown of ["vendor-0/nope", "__proto__", "constructor", "", 5, `${ids[0]}x`, ids[0].slice(0, -1)]) {
      expect(loaders.isModelId(unknown)).toBe(false);
      await expect(loaders.loadModel(unknown)).rejects.toMatchObject({
        name: "UnknownModelError",
        message: String(unknown),
      });
    }
  });

  it("a bundle of the root entry puts each model in its own chunk, none in the entry, without warnings", async () => {
    const entry = path.join(tmp.dir, "app.js");
    writeFileSync(
      entry,
      `import { createClient, validate } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "generated/index.js")).pathname)};\nexport const run = () => [createClient, validate];\n`,
    );
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      format: "esm",
      outdir: path.join(tmp.dir, "dist"),
      metafile: true,
      write: false,
      logLevel: "silent",
      platform: "browser",
    });
    expect(result.warnings).toEqual([]);
    const outputs = Object.entries(result.metafile.outputs);
    const modelIds = JSON.parse(
      JSON.stringify((await import(pathToFileURL(path.join(ROOT, "generated/models.js")).href)).modelIds),
    ) as string[];
    const entryOut = outputs.find(([, o]) => o.entryPoint)!;
    expect(Object.keys(entryOut[1].inputs).some((i) => i.includes("/models/"))).toBe(false);
    for (const id of modelIds) {
      const holding = outputs.filter(([, o]) =>
        Object.keys(o.inputs).some((i) => i.endsWith(`generated/models/${id}.js`)),
      );
      expect(holding, id).toHaveLength(1);
      expect(
        Object.keys(holding[0][1].inputs).filter((i) => i.includes("generated/models/")),
        id,
      ).toHaveLength(1);
    }
    expect(readFileSync(path.join(ROOT, "generated/package.json"), "utf8")).not.toContain(modelIds[0]);
  });
});
