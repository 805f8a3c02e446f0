import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { findSchemaFiles } from "../../generator/load/load.js";
import { lintPaths } from "../../generator/lint/lint.js";
import { ROOT, SCHEMAS, captureCli, tempDir } from "../helpers.js";

const CORPUS = path.join(ROOT, "test/fixtures/lint");

const cli = (argv: string[], env: Record<string, string | undefined> = {}, isTTY = false) =>
  captureCli(argv, { env, isTTY });

/** Each broken file and exactly what it must produce: [rule id, line, column]. */
const EXPECTED: Record<string, [string, number, number][]> = {
  "invalid-json.json": [["invalid-json", 5, 3]],
  "id-mismatch.json": [["model-id-path", 2, 3]],
  "envelope.json": [["unexpected-key", 4, 3]],
  "dupes.json": [["duplicate-key", 3, 3]],
  "types.json": [
    ["required-missing-property", 5, 28],
    ["unknown-format", 7, 36],
    ["normalized-type", 8, 17],
    ["unknown-type", 9, 16],
  ],
  "defaults.json": [
    ["default-invalid", 6, 65],
    ["default-invalid", 7, 68],
    ["duplicate-enum", 7, 59],
    ["default-invalid", 8, 52],
    ["contradictory-limits", 9, 35],
    ["contradictory-limits", 10, 62],
    ["example-invalid", 13, 15],
  ],
  "pricing.json": [["unknown-price-unit", 4, 3]],
  "rules.json": [
    ["contradictory-rules", 9, 9],
    ["rule-unknown-metric", 10, 11],
    ["rule-unknown-operator", 11, 11],
    ["rule-bad-value", 12, 11],
    ["rule-on-non-media", 17, 35],
  ],
};

/** Each finding's words, reviewed: what a user reads in the editor and in CI. */
const EXPECTED_MESSAGES: [string, string][] = [
  ["contradictory-limits", "minimum is greater than maximum (10 > 1): no value can pass; swap or fix them"],
  ["contradictory-limits", "minItems is greater than maxItems (3 > 2): no value can pass; swap or fix them"],
  ["contradictory-rules", "the rules on width contradict each other (width < 300, width > 400): no media can pass"],
  [
    "default-invalid",
    'the default "medium" violates its own schema: value must be one of "fast", "slow"; it is left out of the types, docs and examples',
  ],
  [
    "default-invalid",
    'the default "much too long" violates its own schema: value must have at most 5 characters; it is left out of the types, docs and examples',
  ],
  [
    "default-invalid",
    "the default 80 violates its own schema: value must be <= 50; it is left out of the types, docs and examples",
  ],
  ["duplicate-enum", 'enum value "fast" is listed twice; the duplicate is ignored — remove it'],
  ["duplicate-key", "key appears twice; JSON readers keep only the last one — remove one"],
  ["example-invalid", "the example request body is invalid: /steps must be integer"],
  ["invalid-json", 'invalid JSON: unexpected "}"'],
  [
    "model-id-path",
    'model_id "lint/elsewhere" does not match the file\'s path; it belongs at schemas/lint/elsewhere.json',
  ],
  ["normalized-type", 'type "float" is not JSON Schema; read as "number"'],
  [
    "required-missing-property",
    'required name "ghost" is not among the properties: it is an optional input of unknown type, not required in the types or by the validator; describe it in properties if the model takes it',
  ],
  ["rule-bad-value", 'rule cannot be checked: validation_value "wide" is not a number'],
  [
    "rule-on-non-media",
    "validations on a property that is not a media URL (string or array of strings): each rule is reported as unchecked at validation time",
  ],
  [
    "rule-unknown-metric",
    'rule cannot be checked: unknown metric "sharpness" (known: width, width_pixels, width_px, height, height_pixels, height_px, file_size, file_size_bytes, file_size_b, file_size_kb, file_size_mb, duration, duration_seconds, duration_s)',
  ],
  ["rule-unknown-operator", "rule cannot be checked: no comparison operator (expected one of < <= > >= = == != ≤ ≥ ≠)"],
  [
    "unexpected-key",
    'unexpected top-level key "inputs"; allowed: $schema, model_id, input_schema, output_schema, example, source, base_price_usd, price_unit, pricing_note',
  ],
  ["unknown-format", 'format "colour" is not known; values are not checked against it'],
  [
    "unknown-price-unit",
    'price_unit "image" is not a unit this package can multiply ("output", "second"): cost estimates will say they cannot estimate',
  ],
  [
    "unknown-type",
    'unknown type "tensor" (expected one of string, number, integer, boolean, object, array, null, or float/int/bool)',
  ],
];

describe("lint", () => {
  it("the corpus of broken files gives exactly the expected rule ids and positions", async () => {
    const findings = await lintPaths([CORPUS]);
    const actual: Record<string, [string, number, number][]> = {};
    for (const f of findings) (actual[path.basename(f.file)] ??= []).push([f.ruleId, f.line, f.column]);
    for (const list of [...Object.values(actual), ...Object.values(EXPECTED)])
      list.sort((a, b) => a[1] - b[1] || a[2] - b[2] || (a[0] < b[0] ? -1 : 1));
    expect(actual).toEqual(EXPECTED);
    const messages = findings
      .map((f): [string, string] => [f.ruleId, f.message])
      .sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]));
    expect(messages).toEqual(EXPECTED_MESSAGES);
  });

  it("the seed models have no errors", async () => {
    const findings = await lintPaths([SCHEMAS]);
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("reports the same words as generate for what generate rejects", async () => {
    const gen = await cli(["generate", "--schemas", CORPUS, "--out", path.join(ROOT, ".tmp", "never"), "--check"]);
    const lint = await cli(["lint", CORPUS, "--format", "json"]);
    expect(gen.code).toBe(1);
    const unknown = JSON.parse(lint.stdout)
      .flatMap((r: { messages: unknown[] }) => r.messages)
      .find((f: { ruleId: string }) => f.ruleId === "unknown-type");
    expect(gen.stderr).toContain(unknown.message);
  });

  it("exit codes: 0 clean, 1 errors or too many warnings, 2 usage", async () => {
    expect((await cli(["lint", SCHEMAS])).code).toBe(0);
    expect((await cli(["lint", SCHEMAS, "--max-warnings", "0"])).code).toBe(1);
    expect((await cli(["lint", CORPUS])).code).toBe(1);
    const missing = await cli(["lint", "no/such/dir"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect((await cli(["lint", SCHEMAS, "--format", "xml"])).code).toBe(2);
  });

  it("stylish groups by file with a summary; colours only on a TTY without NO_COLOR", async () => {
    const plain = await cli(["lint", CORPUS]);
    expect(plain.stdout).toMatch(/lint\/types\.json\n(?: {2}.*\n)*? {2}9:16 +error +unknown type "tensor"/);
    expect(plain.stdout).toMatch(/✖ 21 problems \(9 errors, 12 warnings\) in 8 files\n$/);
    expect(plain.stdout).not.toContain("\x1b[");
    expect((await cli(["lint", CORPUS], {}, true)).stdout).toContain("\x1b[31m");
    expect((await cli(["lint", CORPUS], { NO_COLOR: "1" }, true)).stdout).not.toContain("\x1b[");
  });

  it("stylish keeps its colours but prints the schema files' control characters escaped", async () => {
    const tmp = tempDir("rcg-lint-terminal-");
    try {
      mkdirSync(path.join(tmp.dir, "acme", "evil"), { recursive: true });
      const file = path.join(tmp.dir, "acme", "evil", "model.json");
      const type = "tensor\u001b]52;c;aGk=\u0007\u009b2J";
      writeFileSync(
        file,
        JSON.stringify({ model_id: "acme/evil/model", input_schema: { type: "object", properties: { x: { type } } } }),
      );
      const coloured = await cli(["lint", tmp.dir], {}, true);
      expect(coloured.stdout).toContain("\x1b[31m");
      expect(coloured.stdout).toContain("tensor\\u001b]52;c;aGk=\\u0007\\u009b2J");
      expect(coloured.stdout.replace(/\x1b\[\d+m/g, "")).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    } finally {
      tmp.cleanup();
    }
  });

  it("json is ESLint's JSON formatter shape: one result per file (clean ones too), severities 1/2, start and end", async () => {
    const r = await cli(["lint", CORPUS, "--format", "json"]);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { filePath: string }) => path.basename(x.filePath)).sort()).toEqual(
      readdirSync(path.join(CORPUS, "lint")).sort(),
    );
    const types = results.find((x: { filePath: string }) => x.filePath.endsWith("types.json"));
    expect(path.isAbsolute(types.filePath)).toBe(true);
    expect(types).toMatchObject({
      errorCount: 1,
      warningCount: 3,
      fatalErrorCount: 0,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      suppressedMessages: [],
      usedDeprecatedRules: [],
      source: readFileSync(types.filePath, "utf8"),
    });
    // types.json line 9: `"type": "tensor"` from column 16; the member ends after the value.
    expect(types.messages).toContainEqual({
      ruleId: "unknown-type",
      severity: 2,
      message: expect.stringMatching(/^unknown type "tensor"/),
      line: 9,
      column: 16,
      endLine: 9,
      endColumn: 32,
      nodeType: null,
    });
    const broken = results.find((x: { filePath: string }) => x.filePath.endsWith("invalid-json.json"));
    expect(broken).toMatchObject({
      errorCount: 1,
      fatalErrorCount: 1,
      messages: [{ ruleId: "invalid-json", severity: 2, fatal: true, line: 5, column: 3, endLine: 5, endColumn: 4 }],
    });
    const clean = JSON.parse((await cli(["lint", SCHEMAS, "--format", "json"])).stdout);
    expect(clean.length).toBe((await findSchemaFiles(SCHEMAS)).length);
    for (const x of clean) expect(x.errorCount).toBe(0);
  });

  it("github format emits workflow annotations; sarif is SARIF 2.1.0", async () => {
    const gh = await cli(["lint", CORPUS, "--format", "github"]);
    expect(gh.stdout).toMatch(/^::error file=.*types\.json,line=9,col=16,title=unknown-type::unknown type "tensor"/m);
    const sarif = JSON.parse((await cli(["lint", CORPUS, "--format", "sarif"])).stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results[0]).toMatchObject({
      ruleId: expect.any(String),
      locations: [{ physicalLocation: { region: { startLine: expect.any(Number) } } }],
    });
  });
});

describe("the JSON Schema for schema files (editor support)", () => {
  const meta = JSON.parse(readFileSync(path.join(ROOT, "generator/schema-file.schema.json"), "utf8"));
  const validate = new Ajv.default({ allErrors: true, strict: false }).compile(meta);
  it("accepts every seed file", async () => {
    for (const file of await findSchemaFiles(SCHEMAS)) {
      const ok = validate(JSON.parse(readFileSync(file, "utf8")));
      expect(validate.errors, file).toBeNull();
      expect(ok).toBe(true);
    }
  });
  it("rejects a file without model_id or with a bad rule", () => {
    expect(validate({ input_schema: { type: "object" } })).toBe(false);
    expect(
      validate({
        model_id: "a/b",
        input_schema: { type: "object", properties: { x: { type: "string", validations: [{ validation_rule: 3 }] } } },
      }),
    ).toBe(false);
  });
});
