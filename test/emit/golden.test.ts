/**
 * Golden files: reviewed output for a corpus of schemas chosen for their quirks (test/fixtures/golden/:
 * `float`/`int`/`bool` types, a `width×height` key, numeric strings, rules with `≥`/`≤`, enums, arrays
 * of media, nested objects and definitions, titles, the generic output; a docs page's own quirks
 * (page-quirks: a default that does not fit, a required name that is no property, a "" prompt
 * default, a length in ms); and test/fixtures/quirks/),
 * not the repository's own schemas/ (generate --check already compares generated/ with those).
 * Each model's types, module (validator, schemas, rules) and docs page are kept under test/golden/
 * with the paths they have in the package.
 *
 * To update after an intended change: `UPDATE_GOLDEN=1 npx vitest run test/emit/golden.test.ts`, then
 * review `git diff test/golden` as you would review code, and commit it with the change.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { emitModelFiles } from "../../generator/emit/package.js";
import { buildModels } from "../helpers.js";
import { walkFiles } from "../../generator/shared/walk-files.js";
import { QUIRKS, ROOT } from "../helpers.js";

const GOLDEN = path.join(ROOT, "test", "golden");
const CORPUS = [path.join(ROOT, "test", "fixtures", "golden"), QUIRKS];
const update = process.env.UPDATE_GOLDEN === "1";

/** Every emitted file of every corpus model, by its path in the package. */
async function emittedCorpus(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const dir of CORPUS) {
    const { models } = await buildModels(dir);
    for (const model of models) for (const [rel, text] of await emitModelFiles(model)) out.set(rel, text);
  }
  return out;
}

let emitted: Promise<Map<string, string>> | undefined;
const corpusFiles = () => (emitted ??= emittedCorpus());

describe("golden output", () => {
  it("covers the corpus: each model's types, module, docs page and OpenAPI file", async () => {
    expect([...(await corpusFiles()).keys()].sort()).toEqual([
      "docs/acme/golden/image-edit.md",
      "docs/acme/golden/page-quirks.md",
      "docs/acme/golden/text-tags.md",
      "docs/acme/golden/video-nested.md",
      "docs/acme/quirky/all-quirks.md",
      "models/acme/golden/image-edit.d.ts",
      "models/acme/golden/image-edit.js",
      "models/acme/golden/page-quirks.d.ts",
      "models/acme/golden/page-quirks.js",
      "models/acme/golden/text-tags.d.ts",
      "models/acme/golden/text-tags.js",
      "models/acme/golden/video-nested.d.ts",
      "models/acme/golden/video-nested.js",
      "models/acme/quirky/all-quirks.d.ts",
      "models/acme/quirky/all-quirks.js",
      "openapi/acme/golden/image-edit.json",
      "openapi/acme/golden/page-quirks.json",
      "openapi/acme/golden/text-tags.json",
      "openapi/acme/golden/video-nested.json",
      "openapi/acme/quirky/all-quirks.json",
    ]);
  });

  it("every emitted file is its reviewed golden file", async () => {
    const files = await corpusFiles();
    if (update) {
      for (const rel of walkFiles(GOLDEN)) if (!files.has(rel)) rmSync(path.join(GOLDEN, rel));
      for (const [rel, text] of files) {
        mkdirSync(path.dirname(path.join(GOLDEN, rel)), { recursive: true });
        writeFileSync(path.join(GOLDEN, rel), text);
      }
    }
    const missing = [...files.keys()].filter((rel) => !existsSync(path.join(GOLDEN, rel)));
    expect(missing, "golden files missing: run with UPDATE_GOLDEN=1 and review them").toEqual([]);
    expect(walkFiles(GOLDEN).sort(), "golden files of no corpus model").toEqual([...files.keys()].sort());
    for (const [rel, text] of files) expect(text, rel).toBe(readFileSync(path.join(GOLDEN, rel), "utf8"));
  });

  it("the corpus is not the repository's own schemas", () => {
    const ours = new Set(walkFiles(path.join(ROOT, "schemas")));
    const corpus = walkFiles(CORPUS[0]);
    expect(corpus.length).toBe(4);
    expect(corpus.filter((rel) => ours.has(rel))).toEqual([]);
  });
});
