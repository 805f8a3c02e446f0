/** lint --format sarif against the SARIF 2.1.0 JSON Schema (vendored: test/fixtures/sarif, see its README). */
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv04Module from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { NOTE_CODES, type NoteCode } from "../../generator/shared/notes.js";
import { RULES_HELP_URI, sarifRule } from "../../generator/lint/sarif.js";
import { ROOT, SCHEMAS, captureCli } from "../helpers.js";

// CommonJS under NodeNext: the class arrives as the module's default (as generator/shared/ajv.ts unwraps ajv).
const Ajv04 = ((Ajv04Module as unknown as { default?: unknown }).default ?? Ajv04Module) as typeof Ajv04Module.default;
const schema = JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/sarif/sarif-schema-2.1.0.json"), "utf8"));
// unicodeRegExp off: the schema's language pattern is not valid with the u flag (as in its other validators).
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
// The schema's formats, checked as the spec defines them (RFC 3986 URIs, RFC 3339 date-times).
ajv.addFormat("uri", (s: string) => URL.canParse(s));
ajv.addFormat("uri-reference", (s: string) => URL.canParse(s, "http://base.invalid/"));
ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
const validateSarif = ajv.compile(schema);

const CORPUS = path.join(ROOT, "test/fixtures/lint");

describe("lint --format sarif", () => {
  it("is valid against the SARIF 2.1.0 schema, for the broken corpus and a clean folder", async () => {
    for (const folder of [CORPUS, SCHEMAS]) {
      const sarif = JSON.parse((await captureCli(["lint", folder, "--format", "sarif"])).stdout);
      expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    }
  });

  it("the schema test can fail: a rule without an id, a level SARIF does not have", () => {
    const bad = {
      version: "2.1.0",
      runs: [
        {
          tool: { driver: { name: "x", rules: [{ shortDescription: { text: "s" } }] } },
          results: [{ message: { text: "m" }, level: "fatal" }],
        },
      ],
    };
    expect(validateSarif(bad)).toBe(false);
  });

  it("every rule has a short and full description, help (text and markdown) and a help link; results point at their rule and region", async () => {
    const sarif = JSON.parse((await captureCli(["lint", CORPUS, "--format", "sarif"])).stdout);
    const run = sarif.runs[0];
    for (const rule of run.tool.driver.rules) {
      const entry = NOTE_CODES[rule.id as NoteCode];
      expect(rule.shortDescription.text).toBe(entry.summary);
      expect(rule.fullDescription.text.startsWith(`${entry.summary}. `)).toBe(true);
      expect(rule.fullDescription.text.length).toBeGreaterThan(rule.shortDescription.text.length + 20);
      expect(rule.help.markdown).toContain(`**${rule.id}**`);
      expect(rule.helpUri).toBe(RULES_HELP_URI);
    }
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    const tensor = run.results.find((r: { ruleId: string }) => r.ruleId === "unknown-type");
    expect(tensor.locations[0].physicalLocation.region).toEqual({
      startLine: 9,
      startColumn: 16,
      endLine: 9,
      endColumn: 32,
    });
    // Only warnings and infos can be configured, so only their help says how.
    expect(sarifRule("unknown-type").help.text).not.toContain("config");
    expect(sarifRule("normalized-type").help.text).toContain('"normalized-type": "off"');
    expect(sarifRule("rule-syntax").fullDescription.text).toContain("--strict");
  });

  it("the README's table lists every rule id with its severity and summary (the help link's target)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(readme).toContain("## Lint rules");
    for (const [id, entry] of Object.entries(NOTE_CODES))
      expect(readme).toContain(
        `| \`${id}\` | ${entry.severity}${"strictError" in entry ? " (error with --strict)" : ""} | ${entry.summary} |`,
      );
  });
});
