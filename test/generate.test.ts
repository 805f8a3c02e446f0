import { cpSync, utimesSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SchemaErrors } from "../generator/shared/errors.js";
import { generate } from "../generator/generate.js";

import { ROOT, SCHEMAS, schemasWithQuirks, tempDir, readTree } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("generate", () => {
  const schemas = schemasWithQuirks(tmp.dir);
  const out = path.join(tmp.dir, "out");

  it("is deterministic and does not rewrite unchanged files", async () => {
    const first = await generate({ schemasDir: schemas, outDir: out });
    expect(first.models.map((m) => m.modelId)).toEqual([
      "acme/quirky/all-quirks",
      "bytedance/dreamina-3-0/pro/image-to-video",
      "bytedance/dreamina-3-0/pro/text-to-video",
      "bytedance/dreamina-4-0/edit",
      "bytedance/seedance-1-0/lite/image-to-video",
    ]);
    const before = await readTree(out);
    const file = path.join(out, "models/acme/quirky/all-quirks.d.ts");
    const stat1 = statSync(file);
    const second = await generate({ schemasDir: schemas, outDir: out });
    expect([second.diff.added, second.diff.changed, second.diff.removed]).toEqual([[], [], []]);
    expect(await readTree(out)).toEqual(before);
    const stat2 = statSync(file);
    expect([stat2.ino, stat2.mtimeMs]).toEqual([stat1.ino, stat1.mtimeMs]);
  });

  it("rewrites only what a schema change touches, and --check reports it first", async () => {
    const file = path.join(schemas, "acme/quirky/all-quirks.json");
    const original = readFileSync(file, "utf8");
    // Its own starting point: a case never reads what an earlier one wrote.
    await generate({ schemasDir: schemas, outDir: out });
    const untouched = statSync(path.join(out, "models/bytedance/dreamina-4-0/edit.d.ts"));
    writeFileSync(file, original.replace('"maxItems": 4', '"maxItems": 5'));
    try {
      const check = await generate({ schemasDir: schemas, outDir: out, check: true });
      expect(check.stale).toEqual(
        expect.arrayContaining(["models/acme/quirky/all-quirks.js", "models/acme/quirky/all-quirks.d.ts"]),
      );
      const result = await generate({ schemasDir: schemas, outDir: out });
      expect(result.diff.changed).toEqual([
        "docs/acme/quirky/all-quirks.md",
        "models/acme/quirky/all-quirks.d.ts",
        "models/acme/quirky/all-quirks.js",
        "openapi/acme/quirky/all-quirks.json",
      ]);
      const after = statSync(path.join(out, "models/bytedance/dreamina-4-0/edit.d.ts"));
      expect(after.ino).toBe(untouched.ino);
    } finally {
      writeFileSync(file, original);
    }
  });

  it("a failed generation leaves the output as it was, and reports every bad file", async () => {
    await generate({ schemasDir: schemas, outDir: out });
    const before = await readTree(out);
    const bad = path.join(schemas, "acme/quirky/broken.json");
    const worse = path.join(schemas, "acme/quirky/wrong-id.json");
    writeFileSync(
      bad,
      JSON.stringify({
        model_id: "acme/quirky/broken",
        input_schema: { type: "object", properties: { x: { type: "tensor" } } },
      }),
    );
    writeFileSync(worse, JSON.stringify({ model_id: "acme/other", input_schema: { type: "object", properties: {} } }));
    try {
      const err = await generate({ schemasDir: schemas, outDir: out }).catch((e) => e);
      expect(err).toBeInstanceOf(SchemaErrors);
      expect((err as SchemaErrors).errors.map((e) => [path.basename(e.file), e.pointer, e.ruleId])).toEqual([
        ["broken.json", "/input_schema/properties/x/type", "unknown-type"],
        ["wrong-id.json", "/model_id", "model-id-path"],
      ]);
      expect(await readTree(out)).toEqual(before);
    } finally {
      for (const f of [bad, worse]) writeFileSync(f, "");
      (await import("node:fs")).rmSync(bad);
      (await import("node:fs")).rmSync(worse);
    }
  });

  it("removes the files of a model whose schema was removed", async () => {
    const extra = path.join(schemas, "acme/quirky/extra.json");
    writeFileSync(
      extra,
      JSON.stringify({
        model_id: "acme/quirky/extra",
        input_schema: { type: "object", properties: { a: { type: "string" } } },
      }),
    );
    await generate({ schemasDir: schemas, outDir: out });
    expect(existsSync(path.join(out, "models/acme/quirky/extra.js"))).toBe(true);
    (await import("node:fs")).rmSync(extra);
    const r = await generate({ schemasDir: schemas, outDir: out });
    expect(r.diff.removed).toContain("models/acme/quirky/extra.js");
    expect(existsSync(path.join(out, "models/acme/quirky/extra.js"))).toBe(false);
  });

  it("refuses to replace a folder that is not a generated package", async () => {
    const foreign = path.join(tmp.dir, "src");
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, "app.ts"), "precious");
    await expect(generate({ schemasDir: schemas, outDir: foreign })).rejects.toThrow(
      /not a package generated by runcomfy-codegen/,
    );
    expect(readFileSync(path.join(foreign, "app.ts"), "utf8")).toBe("precious");
  });

  it("--strict fails on rules that cannot be checked", async () => {
    const dir = path.join(tmp.dir, "strict-schemas", "acme");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "m.json"),
      JSON.stringify({
        model_id: "acme/m",
        input_schema: {
          type: "object",
          properties: {
            img: {
              type: "string",
              format: "image_uri",
              validations: [{ validation_rule: "sharpness>", validation_value: 1 }],
            },
          },
        },
      }),
    );
    const err = await generate({
      schemasDir: path.dirname(dir),
      outDir: path.join(tmp.dir, "strict-out"),
      strict: true,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(SchemaErrors);
    expect((err as SchemaErrors).errors[0]).toMatchObject({
      pointer: "/input_schema/properties/img/validations/0",
      ruleId: "rule-unknown-metric",
    });
    expect((err as SchemaErrors).errors[0].message).not.toMatch(/\[rule-/);
    const relaxed = await generate({ schemasDir: path.dirname(dir), outDir: path.join(tmp.dir, "strict-out") });
    expect(relaxed.notes.map((n) => n.note.code)).toContain("rule-unknown-metric");
  });
});

describe("the generated root", () => {
  it("exports at run time every error class the runtime defines", async () => {
    const errors = await import("../generator/runtime/errors.js");
    const root = await import("../generated/index.js");
    for (const name of Object.keys(errors)) expect(root, name).toHaveProperty(name);
  });
});

describe("validators compiled on a worker thread", () => {
  it("give byte-identical output to in-process compilation", async () => {
    const { generateCorpus } = await import("../bench/corpus.js");
    const { execFileSync } = await import("node:child_process");
    const corpus = path.join(tmp.dir, "corpus25");
    generateCorpus(SCHEMAS, corpus, 25, 11);
    const viaWorker = path.join(tmp.dir, "worker-out");
    // The built CLI uses the worker once there are 20 or more models to emit.
    execFileSync(process.execPath, [
      path.join(ROOT, "dist/generator/cli.js"),
      "generate",
      "--schemas",
      corpus,
      "--out",
      viaWorker,
      "--no-cache",
      "--quiet",
    ]);
    const inProcess = path.join(tmp.dir, "in-process-out");
    const r = await generate({ schemasDir: corpus, outDir: inProcess, cache: false });
    expect(r.emitted).toBe(25);
    expect(await readTree(viaWorker)).toEqual(await readTree(inProcess));
  });
});

describe("the output manifest", () => {
  it("a hand-edited output file is noticed (its mtime changed) and restored from the cache", async () => {
    const local = tempDir("rcg-manifest-");
    try {
      const out = path.join(local.dir, "out");
      const cache = path.join(local.dir, "cache");
      await generate({ schemasDir: SCHEMAS, outDir: out, cache });
      const file = path.join(out, "models/bytedance/dreamina-4-0/edit.js");
      const original = readFileSync(file, "utf8");
      writeFileSync(file, original.replace("export const modelId", "export const modelIdX"));
      const check = await generate({ schemasDir: SCHEMAS, outDir: out, cache, check: true });
      expect(check.stale).toEqual(["models/bytedance/dreamina-4-0/edit.js"]);
      const fixed = await generate({ schemasDir: SCHEMAS, outDir: out, cache });
      expect(fixed.diff.changed).toEqual(["models/bytedance/dreamina-4-0/edit.js"]);
      expect(fixed.emitted).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(original);
    } finally {
      local.cleanup();
    }
  });
});

describe("the source manifest", () => {
  it("schema files are known by size, mtime and content: same-size edits are noticed, known content is reused", async () => {
    const local = tempDir("rcg-sources-");
    try {
      const schemas = path.join(local.dir, "schemas");
      cpSync(SCHEMAS, schemas, { recursive: true });
      const out = path.join(local.dir, "out");
      const cache = path.join(local.dir, "cache");
      await generate({ schemasDir: schemas, outDir: out, cache });
      const file = path.join(schemas, "bytedance/dreamina-3-0/pro/text-to-video.json");
      const original = readFileSync(file, "utf8");
      const edited = original.replace('"maxLength": 800', '"maxLength": 801');
      expect(edited.length).toBe(original.length);
      writeFileSync(file, edited);
      const result = await generate({ schemasDir: schemas, outDir: out, cache });
      expect(result.emitted).toBe(1);
      expect(readFileSync(path.join(out, "models/bytedance/dreamina-3-0/pro/text-to-video.d.ts"), "utf8")).toContain(
        "801",
      );
      // Back to the original text: known by content, so it comes from the cache.
      writeFileSync(file, original);
      expect((await generate({ schemasDir: schemas, outDir: out, cache })).emitted).toBe(0);
      // An edit that keeps the size and puts back the mtime (to the millisecond) is still noticed.
      const { atime, mtime } = statSync(file);
      writeFileSync(file, edited);
      utimesSync(file, atime, mtime);
      expect((await generate({ schemasDir: schemas, outDir: out, cache })).diff.changed).toContain(
        "models/bytedance/dreamina-3-0/pro/text-to-video.d.ts",
      );
      expect(readFileSync(path.join(out, "models/bytedance/dreamina-3-0/pro/text-to-video.d.ts"), "utf8")).toContain(
        "801",
      );
    } finally {
      local.cleanup();
    }
  });
});
