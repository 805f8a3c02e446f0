/**
 * `lint` and `generate` reach the same verdict on every file, hostile ones included: each error lint
 * reports makes generate fail with the same words, code and position, and nothing crashes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { lintPaths } from "../../generator/lint/lint.js";
import { LOAD_LIMITS } from "../../generator/load/load-json.js";
import { SchemaErrors } from "../../generator/shared/errors.js";
import { ROOT, captureCli, tempDir } from "../helpers.js";

const tmp = tempDir("rcg-verdict-");
afterAll(tmp.cleanup);
let n = 0;

/** A schemas folder holding one file `acme/m.json` with these bytes. */
function schemasWith(content: string | Uint8Array): string {
  const dir = path.join(tmp.dir, `s${n++}`);
  mkdirSync(path.join(dir, "acme"), { recursive: true });
  writeFileSync(path.join(dir, "acme", "m.json"), content);
  return dir;
}

const file = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model_id: "acme/m", input_schema: { type: "object", properties: props }, ...extra }, null, 2);

/** lint's errors and generate's, as [code, line, column, message] each. */
async function verdicts(dir: string) {
  const lint = (await lintPaths([dir]))
    .filter((f) => f.severity === "error")
    .map((f) => [f.ruleId, f.line, f.column, f.message]);
  const err = await generate({ schemasDir: dir, outDir: path.join(tmp.dir, `out${n++}`), cache: false }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const gen =
    err instanceof SchemaErrors
      ? err.errors.map((e) => [e.ruleId, e.position?.line, e.position?.column, e.detail])
      : err === undefined
        ? []
        : [["threw", String(err)]];
  const order = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));
  return { lint: lint.sort(order), gen: gen.sort(order) };
}

describe("lint and generate agree", () => {
  it("on the lint corpus, file by file: the same errors, words, codes and positions", async () => {
    const corpus = path.join(ROOT, "test/fixtures/lint");
    const { lint, gen } = await verdicts(corpus);
    expect(lint.length).toBeGreaterThan(8);
    expect(gen).toEqual(lint);
  });

  it("a file with several problems gets all of them in one run: unknown key, unknown type, minimum > maximum", async () => {
    const dir = schemasWith(
      file(
        {
          a: { type: "strng" },
          b: { type: "number", minimum: 5, maximum: 1 },
          c: { type: "string", maxLength: 2, default: "long" },
        },
        { inputs: {} },
      ),
    );
    const { lint, gen } = await verdicts(dir);
    expect(lint.map((f) => f[0])).toEqual(["contradictory-limits", "unexpected-key", "unknown-type"]);
    expect(gen).toEqual(lint);
  });

  it("duplicate keys fail both, at the second key", async () => {
    const dir = schemasWith(
      '{\n  "model_id": "acme/m",\n  "input_schema": {"type": "object", "properties": {}, "type": "object"}\n}',
    );
    const { lint, gen } = await verdicts(dir);
    expect(lint).toEqual([["duplicate-key", 3, 56, expect.stringContaining("appears twice")]]);
    expect(gen).toEqual(lint);
  });

  it("invalid UTF-8 fails both at the bad byte instead of becoming U+FFFD", async () => {
    const text = Buffer.from(file({ p: { type: "string", description: "caf__" } }));
    const at = text.indexOf("__");
    text[at] = 0xc3; // a lead byte followed by "_" is not UTF-8
    const { lint, gen } = await verdicts(schemasWith(text));
    expect(lint).toEqual([["invalid-utf8", 8, 28, expect.stringContaining("not valid UTF-8")]]);
    expect(gen).toEqual(lint);
  });

  it("10,000 levels of nesting: a clear error with file and pointer, no stack overflow, in both and on the CLI", async () => {
    const deep = `{"model_id": "acme/m", "input_schema": {"type": "object", "properties": {"x": ${"[".repeat(10_000)}${"]".repeat(10_000)}}}}`;
    const dir = schemasWith(deep);
    const { lint, gen } = await verdicts(dir);
    expect(lint).toEqual([
      [
        "too-deep",
        1,
        expect.any(Number),
        expect.stringMatching(/deeper than 128 levels at \/input_schema\/properties\/x\/0\/0/),
      ],
    ]);
    expect(gen).toEqual(lint);
    for (const argv of [
      ["lint", dir],
      ["generate", "--schemas", dir, "--out", path.join(tmp.dir, "deep-out")],
    ]) {
      const r = await captureCli(argv);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain("too-deep");
      expect(r.stdout + r.stderr).not.toMatch(/internal error|RangeError|\n\s+at /);
    }
  });

  it("nesting within the limit still generates", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    // Each level is a schema inside `properties`: two JSON levels.
    for (let i = 0; i < (LOAD_LIMITS.depth - 4) / 2; i++) schema = { type: "object", properties: { x: schema } };
    const { lint, gen } = await verdicts(schemasWith(file({ x: schema })));
    expect(lint).toEqual([]);
    expect(gen).toEqual([]);
  });

  it("a file or a string over the documented limits is refused quickly by both", async () => {
    const huge = schemasWith(file({ p: { type: "string", description: "x".repeat(LOAD_LIMITS.fileBytes) } }));
    const big = await verdicts(huge);
    expect(big.lint).toEqual([
      ["too-large", 1, 1, expect.stringContaining(`limited to ${LOAD_LIMITS.fileBytes} bytes`)],
    ]);
    expect(big.gen).toEqual(big.lint);
    const long = schemasWith(file({ p: { type: "string", description: "x".repeat(LOAD_LIMITS.stringLength + 1) } }));
    const str = await verdicts(long);
    expect(str.lint).toEqual([["too-large", 8, 24, expect.stringContaining("/input_schema/properties/p/description")]]);
    expect(str.gen).toEqual(str.lint);
  });
});

describe("ReDoS", () => {
  it("a pattern with super-linear backtracking fails lint and generate alike; x-redos-accepted turns it into a warning", async () => {
    const vulnerable = { type: "string", pattern: "(a+)+$" };
    const { lint, gen } = await verdicts(
      schemasWith(
        file({
          name: vulnerable,
          tags: { type: "object", patternProperties: { "^(\\w+\\s?)*$": { type: "string" } } },
        }),
      ),
    );
    // Sorted as JSON text: line 13 before line 8.
    expect(lint).toEqual([
      ["redos-pattern", 13, 11, expect.stringContaining("/^(\\w+\\s?)*$/")],
      [
        "redos-pattern",
        8,
        9,
        expect.stringMatching(/^matching \/\(a\+\)\+\$\/ can take time growing exponentially .*x-redos-accepted/),
      ],
    ]);
    expect(gen).toEqual(lint);
    const accepted = schemasWith(file({ name: { ...vulnerable, "x-redos-accepted": true } }));
    expect((await verdicts(accepted)).gen).toEqual([]);
    expect((await lintPaths([accepted])).map((f) => [f.ruleId, f.severity])).toEqual([["redos-accepted", "warning"]]);
  });

  it("a polynomial pattern is a warning: the model generates; the config's rules can make it an error", async () => {
    const dir = schemasWith(
      file({ tags: { type: "object", patternProperties: { "f.*o": { type: "string" } } }, name: { type: "string" } }),
    );
    expect(await verdicts(dir)).toEqual({ lint: [], gen: [] });
    const findings = (await lintPaths([dir])).map((f) => [f.ruleId, f.severity, f.message]);
    expect(findings).toEqual([
      [
        "redos-polynomial",
        "warning",
        expect.stringMatching(/^matching \/f\.\*o\/ can take time growing polynomially \(degree 2\)/),
      ],
    ]);
    const raised = await generate({
      schemasDir: dir,
      outDir: path.join(tmp.dir, `out${n++}`),
      cache: false,
      rules: { "redos-polynomial": "error" },
    }).then(
      () => [],
      (e: SchemaErrors) => e.errors.map((x) => x.ruleId),
    );
    expect(raised).toEqual(["redos-polynomial"]);
  });

  it("linear patterns pass", async () => {
    const { lint } = await verdicts(
      schemasWith(
        file({
          a: { type: "string", pattern: "^[a-z0-9_-]{3,16}$" },
          b: { type: "string", pattern: "^\\d+(\\.\\d+)?$" },
        }),
      ),
    );
    expect(lint).toEqual([]);
  });
});

describe("rule checks", () => {
  it("a metric the media kind does not have is a warning in both; rules on a non-string are too", async () => {
    const rule = (r: string) => ({ validation_rule: r, validation_value: 5, validation_error: "x" });
    const dir = schemasWith(
      file({
        img: { type: "string", format: "image_uri", validations: [rule("duration_seconds<"), rule("width<")] },
        clip: { type: "string", format: "audio_uri", validations: [rule("width_pixels<")] },
        seed: { type: "integer", validations: [rule("width<")] },
      }),
    );
    const findings = await lintPaths([dir]);
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["rule-metric-media-mismatch", "warning"],
      ["rule-metric-media-mismatch", "warning"],
      ["rule-on-non-media", "warning"],
    ]);
    expect(findings[0].message).toContain("duration_seconds, which an image does not have");
    expect((await verdicts(dir)).gen).toEqual([]);
  });
});

describe("generate says what it changed", () => {
  it("one line per kind of normalization with its count; --verbose lists each with file and pointer; errors carry line and column", async () => {
    const dir = schemasWith(
      file({
        a: { type: "Number", description: "" },
        b: { type: "float", description: " " },
        c: { type: "array", format: "image_uris" },
      }),
    );
    const out = path.join(tmp.dir, "said");
    const plain = await captureCli(["generate", "--schemas", dir, "--out", out]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain(
      "warning: A type name that is not JSON Schema, read as its JSON Schema type: 2 [normalized-type]\n",
    );
    expect(plain.stderr).toContain("info: An empty description, dropped: 2 [empty-description]\n");
    expect(plain.stderr).toContain(
      "info: Array items inferred from the array's plural media format: 1 [items-from-format]\n",
    );
    expect(plain.stderr).not.toContain("#/input_schema");
    const verbose = await captureCli(["generate", "--schemas", dir, "--out", out, "--verbose"]);
    expect(verbose.stderr).toMatch(
      /\[normalized-type\]\n {2}\S*acme\/m\.json#\/input_schema\/properties\/a\/type: type "Number" is not JSON Schema; read as "number"\n/,
    );
    const bad = schemasWith(file({ a: { type: "strng" } }));
    const failed = await captureCli(["generate", "--schemas", bad, "--out", path.join(tmp.dir, "bad-out")]);
    expect(failed.stderr).toMatch(
      /^error: \S+acme\/m\.json#\/input_schema\/properties\/a\/type: unknown type "strng" .*\(line 7, column 9\) \[unknown-type\]$/m,
    );
  });
});
