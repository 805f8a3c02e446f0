/**
 * Golden files: the generated output for the seed models and for a schema with every quirk, kept as
 * real files under test/golden/ so changes show up in review diffs. UPDATE_GOLDEN=1 rewrites them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { emitModelFiles } from "../../generator/emit/package.js";
import { buildModels } from "../../generator/generate.js";

const GOLDEN = path.join(import.meta.dirname, "..", "golden");
const update = process.env.UPDATE_GOLDEN === "1";

async function checkGolden(schemasDir: string, names: string[]) {
  const { models } = await buildModels(schemasDir);
  for (const model of models) {
    const files = await emitModelFiles(model);
    for (const name of names) {
      const rel = `${model.modulePath}${name}`;
      const goldenPath = path.join(GOLDEN, rel);
      const actual = files.get(rel)!;
      if (update || !existsSync(goldenPath)) {
        if (!update) throw new Error(`missing golden file ${goldenPath}; run with UPDATE_GOLDEN=1 and review it`);
        mkdirSync(path.dirname(goldenPath), { recursive: true });
        writeFileSync(goldenPath, actual);
      }
      expect(actual, rel).toBe(readFileSync(goldenPath, "utf8"));
    }
  }
  return models;
}

describe("golden output", () => {
  it("seed models: types, model entry and validator", async () => {
    const models = await checkGolden(path.join(import.meta.dirname, "..", "..", "schemas"), [".d.ts", ".js"]);
    expect(models.map((m) => m.modelId)).toEqual([
      "bytedance/dreamina-3-0/pro/image-to-video",
      "bytedance/dreamina-3-0/pro/text-to-video",
      "bytedance/dreamina-4-0/edit",
      "bytedance/seedance-1-0/lite/image-to-video",
    ]);
  });

  it("a schema with every quirk: types, model entry and validator", async () => {
    await checkGolden(path.join(import.meta.dirname, "..", "fixtures", "quirks"), [".d.ts", ".js"]);
  });
});
