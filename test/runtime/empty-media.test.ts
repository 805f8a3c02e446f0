/**
 * Empty media values, as RunComfy's docs pages send them for inputs left unset (`""`, `[]`): at an
 * optional media input the validator accepts them and validation warns, saying what is sent; where a
 * value is required they stay errors. Fields with a media format and fields with media rules but no
 * format behave alike, in the shipped validator (compiled as the generator compiles it) and in
 * `validateSchema`/`validate`.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mediaInputs } from "../../generator/emit/media-paths.js";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import {
  validateModelInput,
  validateSchema,
  type ModelDefinition,
} from "../../generator/runtime/validation/validate.js";
import * as seedance from "../../generated/models/bytedance/seedance-1-0/lite/image-to-video.js";
import { startEmulator } from "../../generator/mock/emulator.js";
import { createClient, ValidationError } from "../../generated/index.js";
import { SCHEMAS, importCompiledValidator, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-empty-media-");
afterAll(tmp.cleanup);

const RULES = [{ validation_rule: "width_pixels<", validation_value: 6000, validation_error: "At most 6000 px." }];
const schema = {
  type: "object",
  required: ["mask_url", "first_frame_image_url"],
  properties: {
    // Optional: one with a media format, one with media rules and no format.
    image_url: { type: "string", format: "image_uri" },
    last_frame_image_url: { type: "string", validations: RULES },
    // Required, the same two kinds.
    mask_url: { type: "string", format: "image_uri" },
    first_frame_image_url: { type: "string", validations: RULES },
    // Lists: one the schema lets be empty, one it does not.
    refs: { type: "array", format: "image_uris" },
    clips: { type: "array", format: "video_uris", minItems: 1 },
  },
};

let n = 0;
async function definition(): Promise<ModelDefinition> {
  const normalized = normalizeInputSchema(schema, "schemas/t/m.json");
  return {
    modelId: "t/m",
    validator: await importCompiledValidator(normalized.schema, tmp.dir, `v${n++}`),
    ruleTargets: normalized.ruleTargets,
    knownProperties: normalized.knownProperties,
    mediaInputs: mediaInputs(normalized.schema, normalized.ruleTargets),
  };
}

const brief = (issues: { path: string; severity: string; keyword?: string; message: string }[]) =>
  issues.map((i) => [i.path, i.severity, i.keyword]);

const given = { mask_url: "https://example.com/m.png", first_frame_image_url: "https://example.com/f.png" };

describe("empty media values", () => {
  it('"" at an optional media input is valid, with a warning saying it is sent as it is (format or rules alike)', async () => {
    const def = await definition();
    const input = { ...given, image_url: "", last_frame_image_url: "" };
    expect(def.validator(input)).toBe(true);
    const result = validateSchema(def, input);
    expect(result.valid).toBe(true);
    expect(brief(result.issues)).toEqual([
      ["/image_url", "warning", "emptyMedia"],
      ["/last_frame_image_url", "warning", "emptyMedia"],
    ]);
    expect(result.issues[0].message).toBe(
      'empty value: "" is sent to RunComfy as it is (its docs send it for a media input left unset); leave the key out to send no image',
    );
    expect(result.issues[1].message).toContain('"" is sent to RunComfy as it is');
  });

  it('"" at a required media input, or as a list item, is an error (format or rules alike)', async () => {
    const def = await definition();
    const input = { mask_url: "", first_frame_image_url: "", refs: [""] };
    expect(def.validator(input)).toBe(false);
    const result = validateSchema(def, input);
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => [i.path, i.severity, i.keyword, i.message])).toEqual([
      ["/mask_url", "error", "minLength", "must not be empty"],
      ["/first_frame_image_url", "error", "minLength", "must not be empty"],
      ["/refs/0", "error", "minLength", "must not be empty"],
    ]);
  });

  it("[] for an optional list is valid with a warning where the schema lets it be empty, an error where it does not", async () => {
    const def = await definition();
    const open = validateSchema(def, { ...given, refs: [] });
    expect(open.valid).toBe(true);
    expect(brief(open.issues)).toEqual([["/refs", "warning", "emptyMedia"]]);
    expect(open.issues[0].message).toBe(
      "empty list: [] is sent to RunComfy as it is (its docs send it for a media input left unset); leave the key out to send no image",
    );
    const closed = validateSchema(def, { ...given, clips: [] });
    expect(brief(closed.issues)).toEqual([["/clips", "error", "minItems"]]);
  });

  it("validate with probing on reports the same: one warning per empty value, no rule or probe issue", async () => {
    const def = await definition();
    // Text at the required rules-only input is not probed either (a warning): nothing here reaches a network.
    const input = { ...given, first_frame_image_url: "a cat", image_url: "", last_frame_image_url: "" };
    const result = await validateModelInput(def, input, { probe: { timeoutMs: 1000 } });
    expect(result.valid).toBe(true);
    expect(result.issues.filter((i) => i.keyword === "emptyMedia").map((i) => i.path)).toEqual([
      "/image_url",
      "/last_frame_image_url",
    ]);
    expect(result.issues.filter((i) => i.path === "/image_url" || i.path === "/last_frame_image_url")).toHaveLength(2);
  });

  it('the generated seed model whose docs page sends "" for its frames: required refused, optional warned', async () => {
    const bad = seedance.validateSchema({ prompt: "a cat", first_frame_image_url: "", last_frame_image_url: "" });
    expect(brief(bad.issues)).toEqual([
      ["/first_frame_image_url", "error", "minLength"],
      ["/last_frame_image_url", "warning", "emptyMedia"],
    ]);
    const ok = await seedance.validate(
      { prompt: "a cat", first_frame_image_url: "https://example.com/f.png", last_frame_image_url: "" },
      { probe: false },
    );
    expect(ok.valid).toBe(true);
    expect(brief(ok.issues)).toEqual([["/last_frame_image_url", "warning", "emptyMedia"]]);
  });

  it('the client sends "" at an optional media input with a warning; the emulator takes it, and refuses it where required', async () => {
    const token = "rc-test-token-empty";
    const e = await startEmulator({ schemasDir: SCHEMAS, queueMs: 50, runMs: 50, token });
    try {
      const warnings: string[][] = [];
      const client = createClient({
        token,
        baseUrl: e.baseUrl,
        validate: { probe: false },
        onValidationWarnings: (issues) => warnings.push(issues.map((i) => `${i.path} ${i.keyword}`)),
      });
      const id = "bytedance/seedance-1-0/lite/image-to-video" as const;
      const frame = "https://example.com/f.png";
      const job = await client.submit(id, { prompt: "a cat", first_frame_image_url: frame, last_frame_image_url: "" });
      expect(warnings).toEqual([["/last_frame_image_url emptyMedia"]]);
      expect(e.job(job.requestId)?.input).toEqual({
        prompt: "a cat",
        first_frame_image_url: frame,
        last_frame_image_url: "",
      });
      // The emulator's own check, with the client's validation off: "" where a value is required is a 400.
      const unchecked = createClient({ token, baseUrl: e.baseUrl, validate: false });
      const refused = await unchecked.submit(id, { prompt: "a cat", first_frame_image_url: "" }).catch((x) => x);
      expect(refused).toBeInstanceOf(ValidationError);
      expect(refused).toMatchObject({ status: 400 });
    } finally {
      await e.close();
    }
  });
});
