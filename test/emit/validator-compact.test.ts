/**
 * The validator's compaction and formatting: unit tests of the token view, the formatted output, and a
 * differential test — every compacted, formatted validator must accept exactly what ajv (compiling the
 * same schema at run time) accepts, and report the same errors (instancePath, keyword, params), on
 * seeded random inputs shaped like each schema (valid values, wrong types, boundaries, extra keys).
 */
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { generateCorpus } from "../../bench/corpus.js";
import { gzipSync } from "node:zlib";
import { findCalls, mask } from "../../generator/emit/code-tokens.js";
import { newSchemaAjv, validatorView } from "../../generator/shared/ajv.js";
import { compactValidator, compileValidatorCode, formatValidator } from "../../generator/emit/validator.js";
import type { SchemaNode } from "../../generator/ir/schema-node.js";
import { QUIRKS, SCHEMAS, buildModels, compileValidator, importCompiledValidator, tempDir } from "../helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 60);
const tmp = tempDir("rcg-compact-");
afterAll(tmp.cleanup);

describe("mask (acorn's tokens)", () => {
  it("tells regex literals from divisions", () => {
    const code = 'a = k.replace(/\\//g, "~1") / 2; // c';
    expect(mask(code)).toBe('a = k.replace(/  /g, "  ") / 2;     ');
  });
  it("blanks strings, templates and comments, keeping offsets and newlines", () => {
    const code = `a("x(y)") /* b(\n) */ c('d') // e(\nf`;
    const masked = mask(code);
    expect(masked).toHaveLength(code.length);
    expect(masked).toBe('a("    ") ' + " ".repeat(5) + "\n" + " ".repeat(4) + " c(' ') " + " ".repeat(5) + "\nf");
    expect(mask("a = `x{y}`")).toBe("a = `    `");
  });
  it("reads TypeScript declarations as names and punctuation", () => {
    expect(mask('export interface Input { "a{b"?: string; /** {doc} */ c: Array<"}">; }')).toBe(
      `export interface Input { "   "?: string; ${" ".repeat(12)} c: Array<" ">; }`,
    );
  });
  it("reports unterminated strings and comments instead of guessing", () => {
    expect(() => mask('a = "x')).toThrow(/Unterminated string/);
    expect(() => mask("a /* x")).toThrow(/Unterminated comment/);
  });
  it("finds calls and bare mentions outside strings only, never as properties", () => {
    const code = `require("m"); x.require("n"); "require('o')"; eval (1); f(Function); import("p")`;
    expect(
      findCalls(code, new Set(["require", "eval", "Function", "import"])).map((c) => [c.name, c.argument]),
    ).toEqual([
      ["require", "m"],
      ["eval", undefined],
      ["Function", undefined],
      ["import", "p"],
    ]);
  });
});

describe("formatted validators", () => {
  it("are printed one statement a line with ajv's names, and import the helpers they use", async () => {
    const v = await compileValidator(
      { type: "object", properties: { n: { type: "integer", maximum: 3 } }, required: ["n"] } as SchemaNode,
      "./",
    );
    expect(v.functionName).toBe("validate0");
    expect(v.imports).toBe("");
    expect(v.code).toMatch(/^function validate0\(data, \{ instancePath = "" \} = \{\}\) \{\n {2}let vErrors = null;\n/);
    // Each error object written at its site, as ajv writes it but without schemaPath: no call per error.
    const error = '{ instancePath: instancePath + "/n", keyword: "maximum", params: { comparison: "<=", limit: 3 } }';
    expect(v.code).toContain(`vErrors === null ? vErrors = [${error}] : vErrors.push(${error});\n`);
  });
  it("refuse code that loads modules or evaluates strings", async () => {
    await expect(
      formatValidator(
        { code: 'function validate0(data){return eval("1");}', functionName: "validate0", bindings: [] },
        "./",
      ),
    ).rejects.toThrow(/calls eval/);
    await expect(
      formatValidator(
        { code: 'function validate0(data){return import("x");}', functionName: "validate0", bindings: [] },
        "./",
      ),
    ).rejects.toThrow(/calls import/);
    await expect(
      formatValidator(
        { code: "const validator = 1;function validate0(data){return true;}", functionName: "validate0", bindings: [] },
        "./",
      ),
    ).rejects.toThrow(/declares validator/);
  });
});

/** Random values shaped like a schema node: mostly plausible, sometimes wrong, with boundaries. */
function valueFor(node: Record<string, unknown>, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
  );
  const types = ([] as unknown[]).concat(node.type ?? []);
  const options: fc.Arbitrary<unknown>[] = [];
  if (Array.isArray(node.enum)) options.push(fc.constantFrom(...node.enum));
  if (node.const !== undefined) options.push(fc.constant(node.const));
  for (const type of types) {
    if (type === "string")
      options.push(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom("https://example.com/a.png", "http://x/y.mp4", "data:image/png;base64,AA==", "ftp://x", ""),
          fc.string({ minLength: 790, maxLength: 810 }),
          // Surrogate pairs and lone surrogates: more UTF-16 units than code points around maxLength.
          fc.string({ unit: fc.constantFrom("a", "\u{1F600}", "\uD83D", "\uDE00"), minLength: 790, maxLength: 810 }),
        ),
      );
    if (type === "integer" || type === "number") {
      const bounds = [node.minimum, node.maximum, node.exclusiveMinimum, node.exclusiveMaximum].filter(
        (b): b is number => typeof b === "number",
      );
      options.push(
        fc.oneof(
          fc.integer({ min: -5, max: 300 }),
          fc.double({ min: -10, max: 300, noNaN: true }),
          ...bounds.map((b) => fc.constantFrom(b, b - 1, b + 1, b - 0.5, b + 0.5)),
        ),
      );
    }
    if (type === "boolean") options.push(fc.boolean());
    if (type === "array" && depth < 4)
      options.push(
        fc.array(node.items ? valueFor(node.items as Record<string, unknown>, depth + 1) : fc.anything(), {
          maxLength: ((node.maxItems as number) ?? 3) + 2,
        }),
      );
    if (type === "object" && depth < 4) {
      const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      const entries = Object.keys(props).map((key) =>
        fc.option(valueFor(props[key], depth + 1), { nil: undefined, freq: 3 }).map((v) => [key, v] as const),
      );
      options.push(
        fc
          .tuple(
            fc.tuple(...entries),
            fc.option(fc.tuple(fc.constantFrom("extra", "__proto__", "constructor"), fc.integer()), {
              nil: undefined,
              freq: 4,
            }),
          )
          .map(([pairs, extra]) => {
            const out: Record<string, unknown> = {};
            for (const [k, v] of pairs)
              if (v !== undefined)
                Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
            if (extra)
              Object.defineProperty(out, extra[0], {
                value: extra[1],
                enumerable: true,
                writable: true,
                configurable: true,
              });
            return out;
          }),
      );
    }
  }
  return options.length
    ? fc.oneof({ weight: 6, arbitrary: fc.oneof(...options) }, { weight: 1, arbitrary: wrong })
    : wrong;
}

/** ajv compiling the same view at run time, with the runtime's format checks. */
function runtimeAjv(view: Record<string, unknown>) {
  return newSchemaAjv().compile(view);
}

const errorsOf = (errors: unknown) =>
  ((errors ?? []) as { instancePath: string; keyword: string; params: unknown }[]).map(
    ({ instancePath, keyword, params }) => ({ instancePath, keyword, params }),
  );

/** Imports the compiled validator as a module, against the runtime's TypeScript sources. */
const importValidator = (schema: SchemaNode, name: string) => importCompiledValidator(schema, tmp.dir, name);

describe("compacted validators behave as ajv's", async () => {
  const corpus = path.join(tmp.dir, "corpus");
  generateCorpus(SCHEMAS, corpus, 12, 7);
  const models = [
    ...(await buildModels(SCHEMAS)).models,
    ...(await buildModels(QUIRKS)).models,
    ...(await buildModels(corpus)).models,
  ];
  // Shapes the seeds lack: enum of objects, const, anyOf/oneOf, nested arrays, open objects, bounds.
  const extra: Record<string, unknown> = {
    type: "object",
    properties: {
      choice: { enum: [{ a: 1 }, [1, 2], "x", 3, null] },
      fixed: { const: { k: [1] } },
      either: {
        anyOf: [
          { type: "string", maxLength: 3 },
          { type: "integer", minimum: 10 },
        ],
      },
      one: {
        oneOf: [
          { type: "number", maximum: 5 },
          { type: "number", minimum: 3 },
        ],
      },
      grid: {
        type: "array",
        items: { type: "array", items: { type: "integer", exclusiveMinimum: 0 }, maxItems: 2 },
        minItems: 1,
      },
      open: { type: "object", properties: { n: { type: "number" } }, additionalProperties: { type: "string" } },
      all: {
        allOf: [
          { type: "string", minLength: 2 },
          { type: "string", maxLength: 4 },
        ],
      },
      // uniqueItems over objects and arrays: ajv compares them deeply with a labelled loop.
      loras: {
        type: "array",
        uniqueItems: true,
        items: { type: "object", properties: { path: { type: "string" }, scale: { type: "number" } } },
      },
      pairs: { type: "array", uniqueItems: true, items: { type: "array", items: { type: "integer" } } },
    },
    required: ["choice"],
    additionalProperties: false,
  };
  // Keys and values that are hard to write into code: prototype names, pointer characters, payloads.
  const awkward: Record<string, unknown> = {
    type: "object",
    properties: {
      ["__proto__"]: { type: "string", maxLength: 2 },
      constructor: { type: "integer", enum: [1, 2] },
      "a/b~c": { type: "array", items: { type: "string", enum: ["*/ x", "\u2028", "</script>", "${x}", '\\"', "'"] } },
      '"quote': { type: "number", minimum: -1e308, maximum: 5e-324 },
      "": { type: "boolean" },
      "width×height": { type: "string", enum: ["1024×1024"] },
      // Object.prototype members: optional ones must not be read off the prototype when absent.
      toString: { type: "string" },
      valueOf: { type: "integer" },
      hasOwnProperty: { type: "boolean" },
      isPrototypeOf: { type: "array", items: { type: "string" } },
    },
    required: ["constructor"],
    additionalProperties: false,
  };
  expect(Object.keys(awkward.properties as object)).toContain("__proto__");
  const cases: [string, SchemaNode][] = [
    ...models.map((m): [string, SchemaNode] => [m.modelId, m.input.schema]),
    ["extra-shapes", extra as SchemaNode],
    ["awkward-keys", awkward as SchemaNode],
  ];

  it.each(cases)("%s", async (id, schema) => {
    const view = validatorView(schema);
    const expected = runtimeAjv(view);
    const actual = await importValidator(schema, id.replace(/\W/g, "_"));
    fc.assert(
      fc.property(valueFor(view), (data) => {
        const ok = actual(data);
        expect(ok).toBe(expected(data));
        expect(errorsOf((actual as unknown as { errors: unknown }).errors)).toEqual(errorsOf(expected.errors));
      }),
      { numRuns: RUNS, seed: 42 },
    );
  });

  it("generates uniqueItems over objects and arrays, comparing them deeply", async () => {
    const validate = (await importValidator(extra as SchemaNode, "unique_items")) as ((data: unknown) => boolean) & {
      errors: unknown;
    };
    expect(validate({ choice: "x", loras: [{ path: "a" }, { path: "b" }], pairs: [[1], [1, 2]] })).toBe(true);
    expect(
      validate({
        choice: "x",
        loras: [
          { path: "a", scale: 1 },
          { scale: 1, path: "a" },
        ],
      }),
    ).toBe(false);
    expect(errorsOf(validate.errors)).toEqual([
      { instancePath: "/loras", keyword: "uniqueItems", params: { i: 1, j: 0 } },
    ]);
    expect(
      validate({
        choice: "x",
        pairs: [
          [1, 2],
          [1, 2],
        ],
      }),
    ).toBe(false);
  });

  it("reads only the input's own properties: inherited names are absent unless given", async () => {
    const validate = (await importValidator(awkward as SchemaNode, "own_properties")) as ((
      data: unknown,
    ) => boolean) & { errors: unknown };
    expect(validate({ constructor: 1 })).toBe(true);
    expect(validate({ constructor: 1, toString: "x", valueOf: 3 })).toBe(true);
    expect(validate({ constructor: 1, toString: 5 })).toBe(false);
    expect(validate({})).toBe(false);
    expect(errorsOf(validate.errors)).toEqual([
      { instancePath: "", keyword: "required", params: { missingProperty: "constructor" } },
    ]);
  });

  it("compacts every error site and the schema constant of the seed models", () => {
    for (const model of models.slice(0, 4)) {
      const compact = compactValidator(compileValidatorCode(model.input.schema));
      expect(compact.code).not.toMatch(/const err\d+ =|schemaPath|const schema\d+ =/);
      expect(compact.code).toContain("vErrors === null ? vErrors = [{instancePath");
    }
  });

  it("the seed models' validators, formatted, are smaller gzipped than ajv's standalone code for the same schema", async () => {
    const gzipped = (code: string) => gzipSync(code, { level: 9 }).length;
    for (const model of models.slice(0, 4)) {
      const v = await compileValidator(model.input.schema, "../runtime/");
      expect(gzipped(`${v.imports}\n${v.code}`)).toBeLessThan(gzipped(compileValidatorCode(model.input.schema)));
    }
  });
});
