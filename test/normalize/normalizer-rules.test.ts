/**
 * One given/want fixture per normalizer rule (test/normalizer/<rule>/): `given.json` is an input
 * schema showing the rule's quirk or keyword, `want.json` what the normalizer makes of it — the clean
 * schema, the notes (code and pointer into given.json), the known property names and the media
 * rules' targets — and, where the rule refuses something, `bad.json` and the errors it gives under
 * `want.json`'s "bad". UPDATE_NORMALIZER=1 rewrites the want files (review the diff).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import { HANDLED_KEYWORDS, NORMALIZER_RULES } from "../../generator/normalize/rules/index.js";
import { SchemaErrors } from "../../generator/shared/errors.js";
import { ROOT } from "../helpers.js";

const FIXTURES = path.join(ROOT, "test/normalizer");
const update = process.env.UPDATE_NORMALIZER === "1";

function normalized(rule: string, file: string): unknown {
  const given = JSON.parse(readFileSync(path.join(FIXTURES, rule, file), "utf8"));
  try {
    const r = normalizeInputSchema(given, `test/normalizer/${rule}/${file}`, "");
    return {
      schema: r.schema,
      notes: r.notes.map((n) => [n.code, n.pointer]),
      knownProperties: r.knownProperties,
      ruleTargets: r.ruleTargets.map((t) => ({ path: t.path, media: t.media, rules: t.rules.map((x) => x.kind) })),
    };
  } catch (e) {
    if (!(e instanceof SchemaErrors)) throw e;
    return { errors: e.errors.map((x) => [x.ruleId, x.pointer]), notes: e.notes.map((n) => [n.code, n.pointer]) };
  }
}

const run = (rule: string) => ({
  ...(normalized(rule, "given.json") as object),
  ...(existsSync(path.join(FIXTURES, rule, "bad.json")) ? { bad: normalized(rule, "bad.json") } : {}),
});

describe("normalizer rules", () => {
  it("every rule has a fixture, and every fixture a rule", () => {
    const names = NORMALIZER_RULES.map((r) => r.name);
    expect(readdirSync(FIXTURES).sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it("the handled keywords are the rules' keywords", () => {
    expect([...HANDLED_KEYWORDS].sort()).toEqual([...new Set(NORMALIZER_RULES.flatMap((r) => r.keywords))].sort());
    for (const keyword of [
      "not",
      "if",
      "prefixItems",
      "dependentRequired",
      "propertyNames",
      "$ref",
      "validations",
      "nullable",
    ])
      expect(HANDLED_KEYWORDS.has(keyword)).toBe(true);
  });

  it.each(NORMALIZER_RULES.map((r) => r.name))("%s", (rule) => {
    const wantFile = path.join(FIXTURES, rule, "want.json");
    const actual = JSON.parse(JSON.stringify(run(rule)));
    if (update || !existsSync(wantFile)) {
      if (!update) throw new Error(`missing ${wantFile}; run with UPDATE_NORMALIZER=1 and review it`);
      writeFileSync(wantFile, JSON.stringify(actual, null, 2) + "\n");
    }
    expect(actual).toEqual(JSON.parse(readFileSync(wantFile, "utf8")));
  });
});
