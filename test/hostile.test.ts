/**
 * Hostile schema files (property-based, seeded): keys, descriptions, titles, enum values, defaults and
 * validation messages carry comment terminators, backticks, `${…}`, quotes, backslashes, newlines,
 * U+2028/U+2029, `</script>`, prototype keys, huge numbers and deep nesting. Each file either fails with
 * a clear error naming the file and a JSON pointer, or generates output that parses, typechecks and
 * executes nothing on import. FC_RUNS raises the number of samples.
 */
import { readdirSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { marked } from "marked";
import { Project, ts } from "ts-morph";
import { afterAll, describe, expect, it } from "vitest";
import { SchemaErrors } from "../generator/shared/errors.js";
import { generate } from "../generator/generate.js";
import { compileModel } from "../generator/compile.js";
import { tempDir } from "./helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 60);
const tmp = tempDir("rcg-hostile-");
afterAll(tmp.cleanup);

/** Each payload would set globalThis.__pwned if any generated file let it out of its literal or comment. */
const PAYLOADS = [
  "*/ globalThis.__pwned = 1; /*",
  "`; globalThis.__pwned = 1; `",
  "${globalThis.__pwned = 1}",
  '"; globalThis.__pwned = 1; "',
  "'; globalThis.__pwned = 1; '",
  '\\"); globalThis.__pwned = 1; //',
  "\n globalThis.__pwned = 1; //",
  "\u2028globalThis.__pwned = 1;\u2029",
  "</script><script>globalThis.__pwned = 1</script>",
  "]}); globalThis.__pwned = 1; ({",
  "@type {never} */ globalThis.__pwned = 1; /** @param",
  "-->\n<!-- globalThis.__pwned = 1",
];
const SPECIAL_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "$ref",
  "$id",
  "",
  " ",
  "a/b~c",
];

const hostileString = fc.oneof(
  fc.constantFrom(...PAYLOADS),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...SPECIAL_KEYS),
);
const hostileKey = fc.oneof(
  fc.constantFrom(...SPECIAL_KEYS),
  fc.constantFrom(...PAYLOADS),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53 + 1, 0, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const leaf = fc.oneof(
  fc.record(
    {
      type: fc.constant("string"),
      description: hostileString,
      title: hostileString,
      enum: fc.array(hostileString, { minLength: 1, maxLength: 4 }),
      default: hostileString,
    },
    { requiredKeys: ["type"] },
  ),
  fc.record(
    {
      type: fc.constantFrom("number", "float", "integer"),
      minimum: hostileNumber,
      maximum: hostileNumber,
      default: hostileNumber,
      description: hostileString,
    },
    { requiredKeys: ["type"] },
  ),
  fc.record({
    type: fc.constant("string"),
    format: fc.constant("image_uri"),
    validations: fc.array(
      fc.record({
        validation_rule: fc.oneof(fc.constantFrom("width<", "file_size_mb≤", "width/height>"), hostileString),
        validation_value: fc.oneof(hostileNumber, hostileString),
        validation_error: hostileString,
      }),
      { maxLength: 3 },
    ),
  }),
  fc.record({ type: hostileString }),
);
const schemaNode: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("object"), tie("array")),
  object: fc.record(
    {
      type: fc.constant("object"),
      description: hostileString,
      properties: fc.dictionary(hostileKey, tie("node"), { maxKeys: 4 }),
    },
    { requiredKeys: ["type", "properties"] },
  ),
  array: fc.record(
    { type: fc.constant("array"), items: tie("node"), description: hostileString },
    { requiredKeys: ["type", "items"] },
  ),
})).node;

/** JSON text with own `__proto__` keys (JSON.stringify of fast-check dictionaries keeps them as data). */
const toFileText = (modelId: string, properties: unknown, deep: number) => {
  let nested: unknown = { type: "string" };
  for (let i = 0; i < deep; i++) nested = { type: "object", properties: { [`level${i}`]: nested } };
  return JSON.stringify({
    model_id: modelId,
    input_schema: {
      type: "object",
      title: PAYLOADS[0],
      properties: { ...(properties as object), deep: nested, prompt: { type: "string" } },
    },
    example: { prompt: PAYLOADS[2] },
  });
};

describe("hostile schemas", () => {
  it("either fail with file and pointer, or generate safe code that typechecks and executes nothing", async () => {
    const schemas = path.join(tmp.dir, "schemas");
    const accepted: string[] = [];
    let rejected = 0;
    const samples = fc.sample(
      fc.tuple(fc.dictionary(hostileKey, schemaNode, { minKeys: 1, maxKeys: 5 }), fc.integer({ min: 0, max: 40 })),
      { numRuns: RUNS, seed: 20261122 },
    );
    for (const [i, [properties, deep]] of samples.entries()) {
      const modelId = `hostile/m${i}`;
      const text = toFileText(modelId, properties, deep);
      const file = `schemas/${modelId}.json`;
      try {
        // The generator's own verdict: load, normalize and the lint checks.
        const analysis = await compileModel({ file, relPath: `${modelId}.json`, text }, { emit: false });
        if (!analysis.model) throw new SchemaErrors(analysis.errors);
        mkdirSync(path.join(schemas, "hostile"), { recursive: true });
        writeFileSync(path.join(schemas, `${modelId}.json`), text);
        accepted.push(modelId);
      } catch (e) {
        rejected++;
        expect(e, String(e)).toBeInstanceOf(SchemaErrors);
        for (const err of (e as SchemaErrors).errors) {
          expect(err.file).toBe(file);
          expect(err.pointer).toMatch(/^\/(input_schema|output_schema|model_id|example)/);
          expect(err.message).not.toMatch(/\n\s+at /);
        }
      }
    }
    // Random limits and defaults often contradict each other, which generate refuses as lint does.
    expect(accepted.length).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeGreaterThan(0);

    const out = path.join(tmp.dir, "generated");
    await generate({ schemasDir: schemas, outDir: out, cache: false });

    // Every generated file parses.
    const all: string[] = [];
    const walk = (d: string) =>
      readdirSync(d, { withFileTypes: true }).forEach((e) =>
        e.isDirectory() ? walk(path.join(d, e.name)) : all.push(path.join(d, e.name)),
      );
    walk(out);
    for (const f of all.filter((f) => /\.(js|ts)$/.test(f))) {
      const kind = f.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
      const sf = ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.ES2022, false, kind);
      expect((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics, f).toEqual([]);
    }
    // The declarations typecheck.
    const project = new Project({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        types: [],
      },
    });
    project.addSourceFilesAtPaths(path.join(out, "**/*.d.ts"));
    const diagnostics = project.getPreEmitDiagnostics();
    expect(project.formatDiagnosticsWithColorAndContext(diagnostics)).toBe("");
    // Importing every model runs no payload, and each validator still works.
    const g = globalThis as { __pwned?: number };
    delete g.__pwned;
    const root = await import(pathToFileURL(path.join(out, "index.js")).href);
    for (const id of accepted) {
      const model = await root.loadModel(id);
      expect(typeof model.validateSchema({}).valid).toBe("boolean");
      expect(model.modelId).toBe(id);
    }
    // The README, rendered as Markdown, contains no markup from schema strings: only escaped text.
    const html = await marked.parse(readFileSync(path.join(out, "README.md"), "utf8"));
    expect(html).not.toMatch(/<script|<\/script/i);
    // Every table row keeps its six cells (a pipe in a schema string cannot add a column).
    for (const table of html.match(/<table>[\s\S]*?<\/table>/g) ?? []) {
      for (const row of table.match(/<tr>[\s\S]*?<\/tr>/g) ?? [])
        expect((row.match(/<t[dh]>|<t[dh] /g) ?? []).length).toBe(6);
    }
    expect(g.__pwned).toBeUndefined();
  });
});
