import { describe, expect, it } from "vitest";
import { SchemaFileError } from "../generator/errors.js";
import { parseJsonWithPositions } from "../generator/json-parse.js";
import { parseSchemaFile } from "../generator/load.js";

const parse = (text: string, rel = "acme/m.json") => parseSchemaFile(`schemas/${rel}`, rel, text);
const fail = (text: string, rel?: string) => {
  try {
    parse(text, rel);
  } catch (e) {
    if (e instanceof SchemaFileError) return e;
    throw e;
  }
  throw new Error("expected an error");
};

describe("schema file loading", () => {
  it("loads a valid file", () => {
    const f = parse(JSON.stringify({ model_id: "acme/m", input_schema: { type: "object" }, example: { a: 1 } }));
    expect(f).toMatchObject({ modelId: "acme/m", outputSchema: null, example: { a: 1 } });
  });

  it("rejects an id that disagrees with its path", () => {
    expect(fail(JSON.stringify({ model_id: "acme/other", input_schema: {} })).ruleId).toBe("model-id-path");
  });

  it("rejects invalid JSON with line and column", () => {
    const e = fail('{\n  "model_id": "acme/m",\n  "input_schema": {,}\n}');
    expect(e.ruleId).toBe("invalid-json");
    expect(e.message).toContain("line 3, column 20");
  });

  it("rejects unexpected top-level keys and bad ids", () => {
    expect(fail(JSON.stringify({ model_id: "acme/m", input_schema: {}, inputs: {} })).pointer).toBe("/inputs");
    expect(fail(JSON.stringify({ model_id: "../etc", input_schema: {} }), "../etc.json").ruleId).toBe("model-id");
  });
});

describe("JSON with positions", () => {
  it("records where each value starts and reports duplicate keys", () => {
    const r = parseJsonWithPositions('{\n  "a": 1,\n  "b": {"c": [true]},\n  "a": 2\n}');
    expect(r.positions.get("/b/c/0")).toMatchObject({ line: 3, column: 15 });
    expect(r.duplicateKeys).toEqual([{ pointer: "/a", position: expect.objectContaining({ line: 4, column: 3 }) }]);
  });
  it("keeps __proto__ as an own key", () => {
    const v = parseJsonWithPositions('{"__proto__": {"polluted": true}}').value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("duplicate ids", () => {
  it("ids differing only in case are reported once per later file", async () => {
    const { duplicateIds } = await import("../generator/load.js");
    const r = duplicateIds([{ modelId: "a/B" }, { modelId: "a/b" }, { modelId: "c/d" }], (e) => `schemas/${e.modelId}.json`);
    expect(r.keep.map((e) => e.modelId)).toEqual(["a/B", "c/d"]);
    expect(r.errors.map((e) => [e.file, e.ruleId])).toEqual([["schemas/a/b.json", "duplicate-model-id"]]);
  });
});
