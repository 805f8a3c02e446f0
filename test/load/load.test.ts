import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SchemaFileError } from "../../generator/shared/errors.js";
import { parseJson as parseJsonWithPositions } from "../../generator/load/load-json.js";
import { checkSchemaFile } from "../../generator/load/load.js";
import { readSchemaSources } from "../../generator/load/sources.js";
import { tempDir, parseSchemaFile } from "../helpers.js";

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
    expect(e.detail).toBe('invalid JSON: unexpected ","');
    expect(e.position).toMatchObject({ line: 3, column: 20 });
  });

  it("reports every envelope problem of a file at once", () => {
    const r = checkSchemaFile(
      "schemas/acme/m.json",
      "acme/m.json",
      '{"model_id": "acme/x", "model_id": "acme/x", "inputs": {}, "example": 3}',
    );
    expect(r.errors.map((e) => [e.ruleId, e.pointer])).toEqual([
      ["duplicate-key", "/model_id"],
      ["missing-key", ""],
      ["unexpected-key", "/inputs"],
      ["model-id-path", "/model_id"],
      ["envelope", "/example"],
    ]);
  });

  it("rejects unexpected top-level keys and bad ids", () => {
    expect(fail(JSON.stringify({ model_id: "acme/m", input_schema: {}, inputs: {} })).pointer).toBe("/inputs");
    expect(fail(JSON.stringify({ model_id: "../etc", input_schema: {} }), "../etc.json").ruleId).toBe("model-id");
  });
});

describe("JSON with positions", () => {
  it("records where each value starts and reports duplicate keys", () => {
    const r = parseJsonWithPositions('{\n  "a": 1,\n  "b": {"c": [true]},\n  "a": 2\n}', true);
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
    const { duplicateIds } = await import("../../generator/load/load.js");
    const r = duplicateIds(
      [{ modelId: "a/B" }, { modelId: "a/b" }, { modelId: "c/d" }],
      (e) => `schemas/${e.modelId}.json`,
    );
    expect(r.keep.map((e) => e.modelId)).toEqual(["a/B", "c/d"]);
    expect(r.errors.map((e) => [e.file, e.ruleId])).toEqual([["schemas/a/b.json", "duplicate-model-id"]]);
  });
});

describe("schema sources and their manifest", () => {
  it("trusts a file's recorded hash only when size and mtime match and the mtime was old at the last run", async () => {
    const tmp = tempDir("rcg-sources-unit-");
    try {
      const dir = path.join(tmp.dir, "schemas");
      mkdirSync(path.join(dir, "acme"), { recursive: true });
      const old = path.join(dir, "acme/old.json");
      const recent = path.join(dir, "acme/recent.json");
      writeFileSync(old, '{"a": 1}');
      writeFileSync(recent, '{"b": 2}');
      const past = new Date(Date.now() - 60_000);
      utimesSync(old, past, past);

      const first = await readSchemaSources(dir, undefined);
      expect(first.sources.map((s) => s.text !== undefined)).toEqual([true, true]);

      const second = await readSchemaSources(dir, first.manifest);
      const byPath = new Map(second.sources.map((s) => [s.relPath, s]));
      // Old and unchanged: taken from the manifest, unread. Written within the slack: read again.
      expect(byPath.get("acme/old.json")!.text).toBeUndefined();
      expect(byPath.get("acme/old.json")!.hash).toBe(first.sources[0].hash);
      expect(byPath.get("acme/recent.json")!.text).toBe('{"b": 2}');

      // A same-size edit is read (its mtime moved), and its new hash recorded.
      writeFileSync(old, '{"a": 2}');
      const third = await readSchemaSources(dir, second.manifest);
      expect(third.sources[0].text).toBe('{"a": 2}');
      expect(third.sources[0].hash).not.toBe(first.sources[0].hash);
      // A manifest from another version of the generator is ignored, not trusted.
      const foreign = await readSchemaSources(dir, { "acme/old.json": [8, 0, "x"] } as never);
      expect(foreign.sources.every((s) => s.text !== undefined)).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});
