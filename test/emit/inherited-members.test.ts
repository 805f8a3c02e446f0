/**
 * Properties named like every `Object.prototype` member (`constructor`, `toString`, `__proto__`, …),
 * end to end: a generated package's types accept object literals with and without them (at the top
 * and nested), reject wrong values, and its validator accepts and refuses the same inputs as a
 * reference ajv reading own properties.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPESCRIPT_OBJECT_MEMBERS } from "../../generator/emit/inherited-members.js";
import { generate } from "../../generator/generate.js";
import { ROOT, tempDir } from "../helpers.js";

/** Every name an object inherits, `__proto__` and the legacy accessors included. */
const NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const MODEL = "acme/inherited/names";
const each = (schema: unknown) => Object.fromEntries(NAMES.map((n) => [n, schema]));
const INPUT_SCHEMA = {
  type: "object",
  required: ["prompt"],
  properties: {
    prompt: { type: "string" },
    ...each({ type: "string", description: "a property named like an inherited member" }),
    nested: { type: "object", properties: each({ type: "integer" }) },
    enums: { type: "object", properties: each({ type: "string", enum: ["a", "b"] }) },
    required: { type: "object", required: NAMES, properties: each({ type: "boolean" }) },
  },
};

const tmp = tempDir("rcg-inherited-");
afterAll(tmp.cleanup);
const out = path.join(tmp.dir, "out");
type Validate = (input: unknown) => Promise<{ valid: boolean; issues: { path: string; severity: string }[] }>;
let validate: Validate;

beforeAll(async () => {
  const schemas = path.join(tmp.dir, "schemas");
  mkdirSync(path.join(schemas, "acme", "inherited"), { recursive: true });
  writeFileSync(
    path.join(schemas, `${MODEL}.json`),
    JSON.stringify({ model_id: MODEL, input_schema: INPUT_SCHEMA, output_schema: { type: "object" } }),
  );
  await generate({ schemasDir: schemas, outDir: out });
  ({ validate } = await import(pathToFileURL(path.join(out, "models", `${MODEL}.js`)).href));
});

/** A literal with `value` under every name; `__proto__` as a computed key, so it is an own property. */
const literal = (value: string) =>
  `{ ${NAMES.map((n) => (n === "__proto__" ? `["__proto__"]: ${value}` : `${n}: ${value}`)).join(", ")} }`;

describe("properties named like Object.prototype members", () => {
  it("types: object literals with none, all or some of them compile; wrong values do not", () => {
    const consumer = path.join(tmp.dir, "consumer.ts");
    const lines = [
      `import type { Input } from "./out/models/${MODEL}.js";`,
      `export const bare: Input = { prompt: "x" };`,
      `export const all: Input = { prompt: "x", ...${literal('"s"')}, nested: ${literal("1")}, enums: ${literal('"a"')}, required: ${literal("true")} };`,
      `export const nested: Input = { prompt: "x", nested: {}, enums: { toString: "b" } };`,
      `export const read: string | undefined = typeof bare.toString === "string" ? bare.toString : undefined;`,
      ...NAMES.filter((n) => n !== "__proto__").flatMap((n) => [
        `// @ts-expect-error a number where the schema says string`,
        `export const wrong_${n}: Input = { prompt: "x", ${n}: 5 };`,
        `// @ts-expect-error a value outside the enum`,
        `export const enum_${n}: Input = { prompt: "x", enums: { ${n}: "c" } };`,
      ]),
      `// @ts-expect-error required names stay required`,
      `export const missing: Input = { prompt: "x", required: { toString: true } };`,
    ];
    writeFileSync(consumer, `${lines.join("\n")}\n`);
    writeFileSync(
      path.join(tmp.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", tmp.dir], { encoding: "utf8" });
    } catch (e) {
      output = (e as { stdout: string }).stdout;
    }
    expect(output).toBe("");
  });

  it("the validator: an input without them is valid with no issue; each one is checked as its schema says", async () => {
    expect(await validate({ prompt: "x", nested: {}, enums: {} })).toEqual({ valid: true, issues: [] });
    const own = (value: unknown) => JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, value]))));
    const all = { prompt: "x", ...own("s"), nested: own(1), enums: own("a"), required: own(true) };
    // JSON.parse makes `__proto__` an own property, as a request body read from JSON has it.
    expect(Object.hasOwn(all, "__proto__") || Object.hasOwn(all.nested, "__proto__")).toBe(true);
    expect(await validate(JSON.parse(JSON.stringify(all)))).toEqual({ valid: true, issues: [] });
    for (const name of NAMES) {
      const wrong = JSON.parse(`{"prompt":"x","nested":{${JSON.stringify(name)}:"one"}}`);
      const result = await validate(wrong);
      expect(result.valid, name).toBe(false);
      expect(result.issues.map((i) => i.path)).toEqual([`/nested/${name}`]);
    }
    const missing = await validate({ prompt: "x", required: { toString: true } });
    expect(missing.valid).toBe(false);
    expect(missing.issues).toHaveLength(NAMES.length - 1);
  });

  it("TYPESCRIPT_OBJECT_MEMBERS is exactly the members of TypeScript's Object interface", () => {
    const file = path.join(ROOT, "node_modules/typescript/lib/lib.es5.d.ts");
    const lib = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    const members = lib.statements
      .filter((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "Object")
      .flatMap((s) => s.members.map((m) => (m.name as ts.Identifier).text));
    expect([...TYPESCRIPT_OBJECT_MEMBERS].sort()).toEqual([...new Set(members)].sort());
  });
});
