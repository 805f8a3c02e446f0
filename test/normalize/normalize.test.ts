import { describe, expect, it } from "vitest";
import { SchemaErrors, type SchemaFileError } from "../../generator/shared/errors.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../../generator/normalize/normalize.js";

const F = "schemas/test/model.json";
const norm = (schema: unknown) => normalizeInputSchema(schema, F);
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties,
  ...extra,
});
const errorOf = (fn: () => unknown): SchemaFileError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SchemaErrors) return e.errors[0];
    throw e;
  }
  throw new Error("expected SchemaErrors");
};

describe("normalize", () => {
  it('reads "type": "float" as number, and says so', () => {
    const r = norm(obj({ scale: { type: "float", minimum: 0 } }));
    expect(r.schema.properties!.scale.type).toBe("number");
    expect(r.notes).toContainEqual(
      expect.objectContaining({ code: "normalized-type", pointer: "/input_schema/properties/scale/type" }),
    );
  });

  it("reads int/bool/double aliases and type lists", () => {
    const r = norm(obj({ a: { type: "int" }, b: { type: "bool" }, c: { type: ["double", "null"] } }));
    expect(r.schema.properties!.a.type).toBe("integer");
    expect(r.schema.properties!.b.type).toBe("boolean");
    expect(r.schema.properties!.c.type).toEqual(["number", "null"]);
  });

  it("fails on an unknown type with the file and JSON pointer", () => {
    const e = errorOf(() => norm(obj({ nested: obj({ x: { type: "tensor" } }) })));
    expect(e.file).toBe(F);
    expect(e.pointer).toBe("/input_schema/properties/nested/properties/x/type");
    expect(e.message).toContain('unknown type "tensor"');
  });

  it("keeps typeless schemas typeless: the validator enforces exactly what the schema says", () => {
    const r = norm(obj({ mystery: { description: "?" }, r: { enum: ["a", 1] }, s: { minLength: 2 } }));
    expect(r.schema.properties!.mystery).toEqual({ description: "?" });
    expect(r.schema.properties!.r).toEqual({ enum: ["a", 1] });
    expect(r.schema.properties!.s).toEqual({ minLength: 2 });
  });

  it("refuses an enum or const value the declared type can never accept", () => {
    const e = errorOf(() => norm(obj({ n: { type: "string", enum: [1, 2] } })));
    expect(e.ruleId).toBe("enum-type-mismatch");
    expect(e.pointer).toBe("/input_schema/properties/n/enum/0");
    expect(errorOf(() => norm(obj({ n: { type: "integer", const: 1.5 } }))).ruleId).toBe("enum-type-mismatch");
  });

  it("marks media formats on strings", () => {
    const p = norm(obj({ image: { type: "string", format: "image_uri" } })).schema.properties!.image;
    expect(p.format).toBe("image_uri");
    expect(p["x-media"]).toBe("image");
  });

  it("moves plural media formats on arrays to the items, with or without items", () => {
    const r = norm(
      obj({
        withItems: { type: "array", format: "video_uris", items: { type: "string" } },
        noItems: { type: "array", format: "audio_uris" },
      }),
    );
    expect(r.schema.properties!.withItems.items).toMatchObject({
      type: "string",
      format: "video_uri",
      "x-media": "video",
    });
    expect(r.schema.properties!.noItems.items).toMatchObject({
      type: "string",
      format: "audio_uri",
      "x-media": "audio",
    });
    expect(r.schema.properties!.noItems.format).toBeUndefined();
  });

  it("keeps keys that are not identifiers exactly", () => {
    const r = norm(
      obj(
        { "width×height": { type: "string" }, "1st": { type: "integer" }, "a b": { type: "string" } },
        { required: ["1st"] },
      ),
    );
    expect(Object.keys(r.schema.properties!)).toEqual(["width×height", "1st", "a b"]);
    expect(r.schema.required).toEqual(["1st"]);
  });

  it("keeps a __proto__ key as data, not as a prototype", () => {
    const raw = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}');
    const r = norm(raw);
    expect(Object.keys(r.schema.properties!)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(r.schema.properties)).toBe(Object.prototype);
  });

  it("a required name beside properties that lack it is reported and not required; alone it stays required", () => {
    // A docs page (every language) lists "image_urls" as required while its property is "images".
    const r = norm(
      obj(
        { prompt: { type: "string" }, images: { type: "array", items: { type: "string" } } },
        { required: ["prompt", "image_urls"] },
      ),
    );
    expect(r.schema.required).toEqual(["prompt"]);
    expect(r.notes).toContainEqual(
      expect.objectContaining({
        code: "required-missing-property",
        severity: "warning",
        pointer: "/input_schema/required/1",
      }),
    );
    const branch = norm(obj({ a: { type: "string" } }, { anyOf: [{ required: ["a"] }, { required: ["b"] }] }));
    expect(branch.schema.anyOf?.map((s) => s.required)).toEqual([["a"], ["b"]]);
  });

  it("reads numeric strings where numbers belong: limits, defaults, enum values", () => {
    const r = norm(
      obj({
        n: { type: "integer", minimum: "1", maximum: "10", default: "5", enum: ["1", "5", "10"] },
        s: { type: "string", maxLength: "800" },
      }),
    );
    expect(r.schema.properties!.n).toMatchObject({ minimum: 1, maximum: 10, default: 5, enum: [1, 5, 10] });
    expect(r.schema.properties!.s.maxLength).toBe(800);
    expect(
      r.notes
        .filter((n) => n.code === "numeric-string")
        .map((n) => n.pointer)
        .sort(),
    ).toEqual([
      "/input_schema/properties/n/default",
      "/input_schema/properties/n/enum/0",
      "/input_schema/properties/n/enum/1",
      "/input_schema/properties/n/enum/2",
      "/input_schema/properties/n/maximum",
      "/input_schema/properties/n/minimum",
      "/input_schema/properties/s/maxLength",
    ]);
  });

  it("rejects a limit that is not a number", () => {
    expect(errorOf(() => norm(obj({ s: { type: "string", maxLength: "lots" } }))).pointer).toBe(
      "/input_schema/properties/s/maxLength",
    );
  });

  it("drops the top-level title (page chrome in the page's language)", () => {
    const r = norm({ type: "object", title: "입력 스키마", properties: { p: { type: "string", title: "Prompt" } } });
    expect(r.schema.title).toBeUndefined();
    expect(r.schema.properties!.p.title).toBe("Prompt");
  });

  it("normalizes nested objects and arrays of objects, open unless the schema closes them, their names known", () => {
    const r = norm(
      obj({
        loras: {
          type: "array",
          items: obj({ path: { type: "string" }, scale: { type: "float" } }, { required: ["path"] }),
        },
        closed: obj({ a: {} }, { additionalProperties: false }),
      }),
    );
    const item = r.schema.properties!.loras.items!;
    expect(item.additionalProperties).toBeUndefined();
    expect(item.properties!.scale.type).toBe("number");
    expect(item.required).toEqual(["path"]);
    expect(r.schema.additionalProperties).toBeUndefined();
    expect(r.schema.properties!.closed.additionalProperties).toBe(false);
    expect(r.knownProperties).toEqual([
      { path: ["loras", "*"], names: ["path", "scale"] },
      { path: [], names: ["loras", "closed"] },
    ]);
  });

  it("sends validations to the side table: arrays apply to each item", () => {
    const r = norm(
      obj({
        image_urls: {
          type: "array",
          items: { type: "string", format: "image_uri" },
          validations: [{ validation_rule: "width_pixels<=", validation_value: 4096, validation_error: "too wide" }],
        },
        nested: obj({
          frame: {
            type: "string",
            validations: [{ validation_rule: "width/height≥", validation_value: "0.33", validation_error: "ratio" }],
          },
        }),
      }),
    );
    expect(r.ruleTargets.map((t) => t.path)).toEqual([
      ["image_urls", "*"],
      ["nested", "frame"],
    ]);
    expect(r.ruleTargets[0].media).toBe("image");
    const [rule] = r.ruleTargets[1].rules;
    expect(rule).toMatchObject({ kind: "checked", op: ">=", limit: 0.33, metrics: ["height", "width"] });
  });

  it("reports an unparseable rule as unchecked, not as a pass", () => {
    const r = norm(
      obj({ img: { type: "string", validations: [{ validation_rule: "sharpness>", validation_value: 3 }] } }),
    );
    expect(r.ruleTargets[0].rules[0]).toMatchObject({ kind: "unchecked" });
    expect(r.notes).toContainEqual(
      expect.objectContaining({
        code: "rule-unknown-metric",
        severity: "warning",
        pointer: "/input_schema/properties/img/validations/0",
        message: expect.not.stringMatching(/\[rule-/),
      }),
    );
  });

  it("keeps an array without items as an array of anything", () => {
    expect(norm(obj({ xs: { type: "array" } })).schema.properties!.xs).toEqual({ type: "array" });
  });

  it("warns about unknown keywords and formats instead of dropping them silently", () => {
    const r = norm(obj({ a: { type: "string", format: "color", widget: "picker" } }));
    expect(r.notes.map((n) => n.code)).toEqual(expect.arrayContaining(["unknown-format", "unknown-keyword"]));
  });

  it("reports every bad property in one run, not only the first", () => {
    try {
      norm(obj({ a: { type: "tensor" }, b: { $ref: "other.json#/x" }, c: { type: "string", maxLength: "x" } }));
      throw new Error("expected SchemaErrors");
    } catch (e) {
      expect((e as SchemaErrors).errors.map((x) => x.ruleId)).toEqual(["unknown-type", "remote-ref", "bad-number"]);
    }
  });

  it("drops duplicate enum values with a warning (validators refuse them)", () => {
    const r = norm(obj({ m: { type: "string", enum: ["a", "b", "a"] } }));
    expect(r.schema.properties!.m.enum).toEqual(["a", "b"]);
    expect(r.notes).toContainEqual(
      expect.objectContaining({ code: "duplicate-enum", pointer: "/input_schema/properties/m/enum/2" }),
    );
  });

  it("rejects non-finite numbers", () => {
    expect(errorOf(() => norm(obj({ a: { type: "number", default: Infinity } }))).ruleId).toBe("bad-number");
  });
});

describe("output schema", () => {
  it("applies RunComfy's generic output when missing or null", () => {
    for (const raw of [null, undefined]) {
      const r = normalizeOutputSchema(raw, F);
      expect(r.generic).toBe(true);
      expect(Object.keys(r.schema.properties!)).toEqual(["image", "images", "video", "videos", "audio", "audios"]);
    }
  });

  it('unwraps the docs\' {"output": {…}} wrapper and recognizes the generic shape', () => {
    const captured = {
      output: {
        type: "object",
        properties: { image: { type: "string", format: "uri", description: "단일 이미지 URL" } },
      },
    };
    const r = normalizeOutputSchema(captured, F);
    expect(r.generic).toBe(true);
    expect(r.schema.properties!.image.description).toBe("URL of a single image");
  });

  it("keeps a model-specific output schema as it is", () => {
    const r = normalizeOutputSchema(
      {
        output: { type: "object", properties: { mesh: { type: "string", format: "uri" }, seed: { type: "integer" } } },
      },
      F,
    );
    expect(r.generic).toBe(false);
    expect(Object.keys(r.schema.properties!)).toEqual(["mesh", "seed"]);
  });
});

describe("prototype-named values never reach lookup tables' prototypes", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("type %j is an unknown type", (name) => {
    expect(errorOf(() => norm(obj({ x: { type: name } }))).ruleId).toBe("unknown-type");
  });
});
