/** The emitted TypeScript types: what is required in the validator is required in the type, at every depth. */
import { describe, expect, it } from "vitest";
import { emitTypes } from "../../generator/emit/types.js";
import { modelOf } from "../helpers.js";

/** The `.d.ts` text of a model whose input schema is `input`. */
export async function typesOf(input: Record<string, unknown>): Promise<string> {
  const model = modelOf({ input });
  return emitTypes(model);
}

describe("types", () => {
  it("required names its own properties, not a nested property of the same name", async () => {
    const input = {
      type: "object",
      required: ["settings"],
      properties: {
        settings: {
          type: "object",
          properties: { settings: { type: "string" }, mode: { type: "string" } },
          required: ["mode"],
        },
        other: { type: "object", properties: { settings: { type: "integer" } } },
      },
    };
    const code = await typesOf(input);
    const lines = code.split("\n").map((l) => l.trim());
    expect(lines).toContain("settings: {");
    expect(lines).toContain("settings?: string;");
    expect(lines).toContain("mode: string;");
    expect(lines).toContain("settings?: number;");
    expect(lines).toContain("other?: {");
  });

  it("types tuples (elements past minItems optional, a rest element where more are allowed), definitions by name, typeless schemas by their keywords", async () => {
    const code = await typesOf({
      type: "object",
      definitions: { lora: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
      properties: {
        pair: { type: "array", items: [{ type: "string" }, { type: "integer" }], additionalItems: false },
        head: { type: "array", prefixItems: [{ type: "string" }], items: { type: "number" }, minItems: 1 },
        lora: { $ref: "#/definitions/lora" },
        short: { minLength: 2 },
        choice: { enum: ["a", 1] },
        never: false,
        notNull: { not: { type: "null" } },
      },
    });
    const lines = code.split("\n").map((l) => l.trim());
    expect(lines).toContain("pair?: [string?, number?];");
    expect(lines).toContain("head?: [string, ...number[]];");
    expect(lines).toContain("lora?: Lora;");
    expect(code).toMatch(/export interface Lora \{\s+path: string;\s+\}/);
    expect(lines).toContain("short?: string;");
    expect(lines).toContain('choice?: "a" | 1;');
    expect(lines).toContain("never?: never;");
    expect(lines).toContain("notNull?: unknown;");
  });

  it("names and literals are string literal nodes the printer escapes, non-ASCII kept; extra keys only where asked for", async () => {
    const code = await typesOf({
      type: "object",
      definitions: { Input: { type: "object", properties: { self: { $ref: "#" } } } },
      properties: {
        'say "hi"\\\u2028': { enum: ['a"b', "×\u2029"] },
        "width×height": { const: { "a-b": [1, null], ok: true } },
        again: { $ref: "#/definitions/Input" },
        open: { type: "object", properties: { x: { type: "string" } }, additionalProperties: { type: "integer" } },
        closed: { type: "object" },
      },
    });
    const lines = code.split("\n").map((l) => l.trim());
    expect(lines).toContain('"say \\"hi\\"\\\\\\u2028"?: "a\\"b" | "×\\u2029";');
    expect(code).toMatch(/"width×height"\?: \{\s+"a-b": \[1, null\];\s+ok: true;\s+\};/);
    // A definition named like the root type gets a name of its own.
    expect(lines).toContain("again?: Input1;");
    expect(code).toMatch(/export interface Input1 \{\s+self\?: Input;\s+\}/);
    expect(lines).toContain("[k: string]: number | string | undefined;");
    expect(lines).toContain("closed?: {};");
    // What the printer wrote parses as TypeScript, without a diagnostic.
    const { ts } = await import("ts-morph");
    const parsed = ts.createSourceFile("m.d.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    expect((parsed as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
  });

  it("a definition named alike in the input and the output is a schema error with the file, not a crash", async () => {
    const { emitModelFiles } = await import("../../generator/emit/package.js");
    const { SchemaFileError } = await import("../../generator/shared/errors.js");
    const def = { definitions: { Item: { type: "object", properties: { a: { type: "string" } } } } };
    const input = { type: "object", ...def, properties: { i: { $ref: "#/definitions/Item" } } };
    const output = {
      type: "object",
      definitions: { Item: { type: "integer" } },
      properties: { o: { $ref: "#/definitions/Item" } },
    };
    const model = modelOf({ input, output, text: "{}" });
    const error = await emitModelFiles(model).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaFileError);
    expect((error as InstanceType<typeof SchemaFileError>).ruleId).toBe("types");
    expect((error as Error).message).toMatch(
      /schemas\/t\/m\.json#\/input_schema: the TypeScript types cannot be generated: .*Item twice/,
    );
  });
});

describe("hovers", () => {
  /** What an editor's hover shows for each property of `Input`: TypeScript's quick info documentation. */
  async function hovers(input: Record<string, unknown>): Promise<Record<string, string>> {
    const { Project } = await import("ts-morph");
    const project = new Project({ useInMemoryFileSystem: true });
    const file = project.createSourceFile("m.d.ts", await typesOf(input));
    const service = project.getLanguageService().compilerObject;
    const out: Record<string, string> = {};
    for (const prop of file.getInterfaceOrThrow("Input").getProperties()) {
      const info = service.getQuickInfoAtPosition("/m.d.ts", prop.getNameNode().getStart());
      out[prop.getName()] = (info?.documentation ?? []).map((d) => d.text).join("");
    }
    return out;
  }

  it("show a property's title first, then its description and limits", async () => {
    const shown = await hovers({
      type: "object",
      properties: {
        aspect_ratio: { type: "string", title: "Aspect Ratio (W:H)", enum: ["16:9", "1:1"] },
        frames: { type: "integer", title: "Number of Frames", description: "Total frames.", minimum: 1 },
        prompt: { type: "string", title: "Prompt", description: "What to draw." },
        seed: { type: "integer", title: "Seed" },
        scale: { type: "number", title: "Scale factor", description: "Scale factor" },
        nested: {
          type: "object",
          title: "Nested settings",
          properties: { inner: { type: "string", title: "Inner title" } },
        },
      },
    });
    expect(shown).toEqual({
      aspect_ratio: "Aspect Ratio (W:H)",
      frames: "Number of Frames\n\nTotal frames.\nAn integer.\nLimits: at least 1.",
      // A title that only restates the name or the description adds nothing to the hover.
      prompt: "What to draw.",
      seed: "An integer.",
      scale: "Scale factor",
      nested: "Nested settings",
    });
  });

  it("show a nested property's title", async () => {
    const code = await typesOf({
      type: "object",
      properties: { nested: { type: "object", properties: { inner: { type: "string", title: "Inner title" } } } },
    });
    const { Project } = await import("ts-morph");
    const file = new Project({ useInMemoryFileSystem: true }).createSourceFile("m.d.ts", code);
    const inner = file
      .getInterfaceOrThrow("Input")
      .getPropertyOrThrow("nested")
      .getTypeNodeOrThrow()
      .getDescendantsOfKind((await import("ts-morph")).SyntaxKind.PropertySignature)[0];
    expect(inner.getName()).toBe("inner");
    expect(inner.getJsDocs().map((d) => d.getDescription().trim())).toEqual(["Inner title"]);
  });
});
