/**
 * The generated package's `validate` on the seed models: every media rule on both sides of its
 * boundary, with images served from 127.0.0.1. Boundary inputs are derived from each rule's data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jpeg } from "../../generator/mock/images.js";
import { BYTES_PER_MB } from "../../generator/runtime/validation/rule-eval.js";
import type { CheckedRule, Comparator, RuleTarget } from "../../generator/runtime/validation/rule-types.js";
import * as i2v from "../../generated/models/bytedance/dreamina-3-0/pro/image-to-video.js";
import * as edit from "../../generated/models/bytedance/dreamina-4-0/edit.js";
import * as seedance from "../../generated/models/bytedance/seedance-1-0/lite/image-to-video.js";
import { validate } from "../../generated/index.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";

let server: MediaServer;
beforeAll(async () => (server = await startMediaServer()));
afterAll(() => server.close());

const options = { allowHttp: true, probe: { allowPrivateNetwork: true, timeoutMs: 5000 } };
let counter = 0;
/** Serves a JPEG of the given size (headers only, padded to `bytes`) and returns its URL. */
function image(width: number, height: number, bytes = 50_000): string {
  const name = `img-${counter++}-${width}x${height}-${bytes}.jpg`;
  server.add(name, jpeg(width, height, { totalBytes: bytes }), "image/jpeg");
  return server.url(`/range/${name}`);
}

/** The metric values just inside and just outside a limit. */
function around(op: Comparator, limit: number, integer: boolean): { pass: number; fail: number } {
  const step = integer ? 1 : 0;
  switch (op) {
    case "<":
      return integer ? { pass: Math.ceil(limit) - 1, fail: Math.ceil(limit) } : { pass: limit - step, fail: limit };
    case "<=":
      return { pass: Math.floor(limit), fail: Math.floor(limit) + 1 };
    case ">":
      return { pass: Math.floor(limit) + 1, fail: Math.floor(limit) };
    case ">=":
      return { pass: Math.ceil(limit), fail: Math.ceil(limit) - 1 };
    default:
      throw new Error(`no boundary cases for ${op}`);
  }
}

/** Width, height and size for an input on one side of one rule, keeping every other seed rule satisfied. */
function boundaryMedia(rule: CheckedRule): { pass: [number, number, number]; fail: [number, number, number] } {
  const expr = rule.expr;
  if (expr.kind === "metric" && (expr.name === "width" || expr.name === "height")) {
    const { pass, fail } = around(rule.op, rule.limit, true);
    return { pass: [pass, pass, 50_000], fail: [fail, fail, 50_000] };
  }
  if (expr.kind === "metric" && expr.name === "file_size_mb") {
    const { pass, fail } = around(rule.op, rule.limit * BYTES_PER_MB, true);
    return { pass: [1000, 1000, pass], fail: [1000, 1000, fail] };
  }
  if (expr.kind === "binary" && expr.op === "/" && expr.left.kind === "metric" && expr.left.name === "width") {
    // Height 1000: width moves by one pixel around limit × 1000.
    const { pass, fail } = around(rule.op, rule.limit * 1000, true);
    return { pass: [pass, 1000, 50_000], fail: [fail, 1000, 50_000] };
  }
  throw new Error(`no boundary cases for ${JSON.stringify(rule.source)}`);
}

const MODELS = [
  { name: "dreamina-3-0 image-to-video", module: i2v, base: { prompt: "a street" } },
  { name: "dreamina-4-0 edit", module: edit, base: { prompt: "a boat" } },
  { name: "seedance-1-0 lite image-to-video", module: seedance, base: { prompt: "a cat" } },
];

function inputWith(
  base: Record<string, unknown>,
  targets: readonly RuleTarget[],
  target: RuleTarget,
  url: string,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...base };
  // Every media input of the model gets a good image; the one under test gets `url`.
  for (const t of targets) {
    const good = image(1000, 1000);
    const [name, star] = t.path;
    input[name] = star === "*" ? [good] : good;
  }
  const [name, star] = target.path;
  input[name] = star === "*" ? [url] : url;
  return input;
}

describe("media rules of the seed models, both sides of every boundary", () => {
  for (const { name, module, base } of MODELS) {
    for (const target of module.ruleTargets) {
      for (const rule of target.rules) {
        if (rule.kind !== "checked") throw new Error("seed rules all parse");
        it(`${name}: ${target.path.join(".")} ${rule.source.rule} ${JSON.stringify(rule.source.value)}`, async () => {
          const { pass, fail } = boundaryMedia(rule);
          const good = await module.validate(inputWith(base, module.ruleTargets, target, image(...pass)), options);
          expect(good.issues).toEqual([]);
          expect(good.valid).toBe(true);
          const bad = await module.validate(inputWith(base, module.ruleTargets, target, image(...fail)), options);
          expect(bad.valid).toBe(false);
          const pointer = "/" + target.path[0] + (target.path[1] === "*" ? "/0" : "");
          expect(bad.issues).toContainEqual(
            expect.objectContaining({
              path: pointer,
              source: "rule",
              severity: "error",
              rule: rule.source.rule,
              limit: rule.limit,
              message: expect.stringContaining(rule.source.error),
            }),
          );
        });
      }
    }
  }
});

describe("the named boundaries", () => {
  const check = async (width: number, height: number, bytes = 50_000) => {
    const r = await i2v.validate({ prompt: "p", image_urls: [image(width, height, bytes)] }, options);
    return r.issues.map((i) => `${i.rule} ${i.actual}`);
  };
  it("4096 px passes width_pixels<=, 4097 fails", async () => {
    expect(await check(4096, 4096)).toEqual([]);
    expect(await check(4097, 4096)).toEqual(["width_pixels<= 4097"]);
  });
  it("ratio 2.99 passes width/height<3, 3.0 fails", async () => {
    expect(await check(2990, 1000)).toEqual([]);
    expect(await check(3000, 1000)).toEqual(["width/height< 3"]);
  });
  it("4.7 MB: one byte under passes file_size_mb<, at the limit fails", async () => {
    const limit = Math.ceil(4.7 * 1024 * 1024);
    expect(await check(1000, 1000, limit - 1)).toEqual([]);
    expect(await check(1000, 1000, limit)).toEqual([`file_size_mb< ${limit / (1024 * 1024)}`]);
  });
  it('string-valued rules with Unicode operators (≥ "0.33", ≤ "3")', async () => {
    const r = await edit.validate({ prompt: "p", image_urls: [image(329, 1000)] }, options);
    expect(r.issues).toEqual([expect.objectContaining({ rule: "width/height≥", limit: 0.33, actual: 0.329 })]);
  });
});

describe("validate", () => {
  it("applies array rules to each item and names the bad one", async () => {
    const r = await edit.validate(
      { prompt: "p", image_urls: [image(1000, 1000), image(5000, 1000), image(800, 800)] },
      options,
    );
    expect(r.valid).toBe(false);
    expect([...new Set(r.issues.map((i) => i.path))]).toEqual(["/image_urls/1"]);
    expect(r.issues.map((i) => i.rule).sort()).toEqual(["width/height≤", "width_pixels<="]);
  });

  it("returns schema and rule problems in one list, through the package root", async () => {
    const r = await validate("bytedance/dreamina-4-0/edit", { prompt: 1, image_urls: [image(5000, 1000)] }, options);
    expect(r.issues.map((i) => [i.source, i.path])).toEqual([
      ["schema", "/prompt"],
      ["rule", "/image_urls/0"],
      ["rule", "/image_urls/0"],
    ]);
  });

  it("probes each URL once per call, concurrently", async () => {
    const url = image(1000, 1000);
    server.reset();
    await edit.validate({ prompt: "p", image_urls: [url, url, url] }, options);
    expect(server.requests()).toBe(1);
  });

  it("reports media it cannot reach as a rule problem, not a pass", async () => {
    const r = await edit.validate({ prompt: "p", image_urls: [server.url("/status/404")] }, options);
    expect(r.valid).toBe(false);
    expect(r.issues[0]).toMatchObject({
      path: "/image_urls/0",
      source: "rule",
      message: expect.stringContaining("HTTP 404"),
    });
  });

  it("refuses private addresses by default", async () => {
    const r = await edit.validate({ prompt: "p", image_urls: [image(1000, 1000)] }, { allowHttp: true });
    expect(r.issues[0].message).toContain("refused to contact private address 127.0.0.1");
  });

  it("schema-only validation is synchronous and skips probing", () => {
    const r = edit.validateSchema({ prompt: "p", image_urls: ["https://example.com/a.png"] });
    expect(r).toEqual({ valid: true, issues: [] });
  });

  it("probe: false checks only the schema", async () => {
    server.reset();
    expect(await edit.validate({ prompt: "p", image_urls: [image(9999, 10)] }, { ...options, probe: false })).toEqual({
      valid: true,
      issues: [],
    });
    expect(server.requests()).toBe(0);
  });

  it("data URIs are accepted by default (RunComfy accepts them) and refused when asked", () => {
    const input = { prompt: "p", image_urls: ["data:image/png;base64,iVBORw0KGgo="] };
    expect(edit.validateSchema(input).valid).toBe(true);
    expect(edit.validateSchema(input, { allowDataUris: false }).issues[0]).toMatchObject({
      path: "/image_urls/0",
      keyword: "format",
    });
  });
});

describe("media rules on a property without a media format", () => {
  it("plain text is not refused: the rules are reported as not checked, and the input stays valid", async () => {
    const { validateModelInput } = await import("../../generator/runtime/validation/validate.js");
    const rule: CheckedRule = {
      kind: "checked",
      source: { rule: "width<", value: 5, error: "too wide" },
      expr: { kind: "metric", name: "width" },
      op: "<",
      limit: 5,
      metrics: ["width"],
    };
    const validator = Object.assign((() => true) as (data: unknown) => boolean, { errors: null });
    const def = { modelId: "acme/m", validator, ruleTargets: [{ path: ["prompt"], media: null, rules: [rule] }] };
    const result = await validateModelInput(def as never, { prompt: "a cat" });
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([
      expect.objectContaining({ path: "/prompt", severity: "warning", message: expect.stringContaining("not a URL") }),
    ]);
  });
});

describe("data URIs", () => {
  const dataUri = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
  it("are accepted by default, and the media rules apply to them from their decoded header (no network)", async () => {
    const { png } = await import("../../generator/mock/images.js");
    const good = await edit.validate({ prompt: "a boat", image_urls: [dataUri(png(600, 400))] });
    expect(good.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(good.valid).toBe(true);
    // Aspect ratio 0.1: the rule width/height >= 0.33 fails on the decoded header.
    const narrow = await edit.validate({ prompt: "a boat", image_urls: [dataUri(png(40, 400))] });
    expect(narrow.valid).toBe(false);
    expect(narrow.issues).toContainEqual(
      expect.objectContaining({ path: "/image_urls/0", source: "rule", severity: "error" }),
    );
    expect(
      edit.validateSchema({ prompt: "a boat", image_urls: [dataUri(png(1, 1))] }, { allowDataUris: false }).valid,
    ).toBe(false);
  });

  it("declared as one type but holding another's bytes is a warning naming both (sent as is)", async () => {
    const { jpeg, png } = await import("../../generator/mock/images.js");
    const asPng = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
    const r = edit.validateSchema({ prompt: "a boat", image_urls: [asPng(png(600, 400)), asPng(jpeg(600, 400))] });
    expect(r.valid).toBe(true);
    expect(r.issues).toEqual([
      expect.objectContaining({
        path: "/image_urls/1",
        severity: "warning",
        keyword: "dataUriType",
        message: expect.stringMatching(/declared image\/png holds image\/jpeg bytes.*declare image\/jpeg/),
      }),
    ]);
    // Aliases of one type are no mismatch.
    const jpg = `data:image/jpg;base64,${Buffer.from(jpeg(600, 400)).toString("base64")}`;
    expect(edit.validateSchema({ prompt: "a boat", image_urls: [jpg] }).issues).toEqual([]);
  });

  it("over RunComfy's 64 MiB request cap is a clear error", () => {
    const huge = `data:image/png;base64,${"A".repeat(Math.ceil(((64 * 1024 * 1024 + 3) * 4) / 3))}`;
    const r = edit.validateSchema({ prompt: "a boat", image_urls: [huge] });
    expect(r.valid).toBe(false);
    expect(r.issues).toContainEqual(
      expect.objectContaining({
        path: "/image_urls/0",
        keyword: "dataUriSize",
        message: expect.stringContaining("cap a request at 64 MiB"),
      }),
    );
  });
});

describe("allowPrivateNetwork beside the other validation options", () => {
  it("at the top level it reaches the probe, as under probe: (a loopback image is measured, not refused)", async () => {
    const url = image(5000, 5000);
    const input = { prompt: "a cat", image_urls: [url] };
    const top = await validate("bytedance/dreamina-4-0/edit", input, {
      allowHttp: true,
      allowPrivateNetwork: true,
      probe: { timeoutMs: 5000 },
    });
    const nested = await validate("bytedance/dreamina-4-0/edit", input, options);
    expect(top.issues.map((i) => [i.path, i.source, i.message])).toEqual(
      nested.issues.map((i) => [i.path, i.source, i.message]),
    );
    expect(top.issues.map((i) => [i.path, i.severity, i.rule, i.actual, i.limit])).toEqual([
      ["/image_urls/0", "error", "width_pixels<=", 5000, 4096],
      ["/image_urls/0", "error", "height_pixels<=", 5000, 4096],
    ]);
  });
});

describe("the root validateSchema", () => {
  it("is synchronous like the model's own, once the model is loaded; before that it throws naming the fix", async () => {
    const root = await import("../../generated/index.js");
    const id = "bytedance/dreamina-3-0/pro/text-to-video";
    // No other test in this file loads this model through the root.
    expect(root.loadedModel(id)).toBeUndefined();
    expect(() => root.validateSchema(id, { prompt: "a teapot" })).toThrow(/loadModel/);
    await root.loadModel(id);
    const result = root.validateSchema(id, { prompt: 3 });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => i.path)).toEqual(["/prompt"]);
    expect(root.validateSchema(id, { prompt: "a teapot" })).toEqual({ valid: true, issues: [] });
  });
});

describe("images this package cannot measure", () => {
  const dataUri = (type: string, bytes: number[]) =>
    `data:${type};base64,${Buffer.concat([Buffer.from(bytes), Buffer.alloc(64)]).toString("base64")}`;
  const ftyp = (brand: string) => [0, 0, 0, 24, ...Buffer.from("ftyp" + brand), 0, 0, 0, 0];

  it("HEIF and TIFF are not refused: the rules are left unchecked with a warning, and the input stays valid", async () => {
    for (const [type, bytes, name] of [
      ["image/heic", ftyp("heic"), "HEIF"],
      ["image/tiff", [0x49, 0x49, 0x2a, 0x00], "TIFF"],
    ] as const) {
      const result = await validate("bytedance/dreamina-4-0/edit", {
        prompt: "a",
        image_urls: [dataUri(type, [...bytes])],
      });
      expect(result.valid).toBe(true);
      expect(result.issues).toEqual([
        expect.objectContaining({
          path: "/image_urls/0",
          severity: "warning",
          message: expect.stringContaining(`${name} images are not measured`),
        }),
      ]);
    }
  });

  it("AVIF is measured from its primary item's ispe; one a decoder may report rotated is left unchecked", async () => {
    const { avif } = await import("../../generator/mock/images.js");
    const avifUri = (bytes: Uint8Array) => `data:image/avif;base64,${Buffer.from(bytes).toString("base64")}`;
    // Aspect ratio 0.1: the rule width/height >= 0.33 fails on the measured size.
    const narrow = await validate("bytedance/dreamina-4-0/edit", { prompt: "a", image_urls: [avifUri(avif(40, 400))] });
    expect(narrow.valid).toBe(false);
    expect(narrow.issues).toContainEqual(
      expect.objectContaining({ path: "/image_urls/0", source: "rule", severity: "error" }),
    );
    expect(
      (await validate("bytedance/dreamina-4-0/edit", { prompt: "a", image_urls: [avifUri(avif(1000, 800))] })).issues,
    ).toEqual([]);
    const rotated = await validate("bytedance/dreamina-4-0/edit", {
      prompt: "a",
      image_urls: [avifUri(avif(40, 400, { quarterTurns: 1 }))],
    });
    expect(rotated.valid).toBe(true);
    expect(rotated.issues).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringContaining("rotated or cropped") }),
    ]);
  });

  it("bytes that are no image at all are still refused", async () => {
    const result = await validate("bytedance/dreamina-4-0/edit", {
      prompt: "a",
      image_urls: [dataUri("image/png", [...Buffer.from("hello, not an image")])],
    });
    expect(result.valid).toBe(false);
    expect(result.issues[0]).toMatchObject({ path: "/image_urls/0", severity: "error" });
  });
});
