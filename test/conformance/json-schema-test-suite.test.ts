/**
 * The official JSON Schema Test Suite through the generator (test/fixtures/json-schema-test-suite):
 * each group's schema becomes property `x` of a model's input schema, each case's data the input
 * `{ x: data }`; the generated types are emitted and the generated validator, imported as the
 * package ships it, must agree with the suite on every case. A group that does not agree must be
 * listed, with a reason, in known-exceptions.json; the keyword → agreeing cases table is results.md
 * (UPDATE_CONFORMANCE=1 rewrites it; review the diff).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitTypes } from "../../generator/emit/types.js";
import { SchemaErrors } from "../../generator/shared/errors.js";
import { validateSchema } from "../../generator/runtime/validation/validate.js";
import { ROOT, importCompiledValidator, modelOf, tempDir } from "../helpers.js";

const SUITE = path.join(ROOT, "test/fixtures/json-schema-test-suite");
const HERE = path.join(ROOT, "test/conformance");
const EXCEPTIONS: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(path.join(HERE, "known-exceptions.json"), "utf8"),
);
const tmp = tempDir("rcg-suite-");
afterAll(tmp.cleanup);

interface Group {
  description: string;
  schema: unknown;
  tests: { description: string; data: unknown; valid: boolean }[];
}

/** Local `$ref`s of a group's schema point into the group's schema; moved under `/properties/x` they still do. */
function moveRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(moveRefs);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const data = ["enum", "const", "default", "examples"].includes(key);
    const moved = data
      ? value
      : key === "$ref" && typeof value === "string" && value.startsWith("#")
        ? `#/properties/x${value.slice(1)}`
        : moveRefs(value);
    Object.defineProperty(out, key, { value: moved, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The model input schema wrapping a group's schema (the group's `$schema`, if any, says the draft). */
function wrap(schema: unknown): Record<string, unknown> {
  const declared =
    schema !== null && typeof schema === "object" && typeof (schema as { $schema?: unknown }).$schema === "string"
      ? { $schema: (schema as { $schema: string }).$schema }
      : {};
  return { ...declared, type: "object", properties: { x: moveRefs(schema) } };
}

interface GroupResult {
  file: string;
  group: string;
  cases: number;
  agreeing: number;
  /** Why the group disagrees: the generator's error, or the cases that disagree. */
  problem?: string;
}

let counter = 0;
async function runGroup(draft: string, file: string, group: Group): Promise<GroupResult> {
  const result: GroupResult = {
    file: `${draft}/${file}`,
    group: group.description,
    cases: group.tests.length,
    agreeing: 0,
  };
  const input = wrap(group.schema);
  let model;
  try {
    model = modelOf({ input, file: `suite/${draft}/${file}` });
    await emitTypes(model);
  } catch (e) {
    const why =
      e instanceof SchemaErrors
        ? e.errors.map((x) => `${x.ruleId}: ${x.detail}`).join("; ")
        : `(not a schema error) ${(e as Error).message}`;
    return { ...result, problem: `not generated: ${why}` };
  }
  let validator;
  try {
    validator = await importCompiledValidator(model.input.schema, tmp.dir, `v${counter++}`);
  } catch (e) {
    return { ...result, problem: `validator not compiled: ${(e as Error).message}` };
  }
  const definition = { modelId: "t/m", validator, ruleTargets: [], knownProperties: model.input.knownProperties };
  const wrong: string[] = [];
  for (const test of group.tests) {
    if (validateSchema(definition, { x: test.data }).valid === test.valid) result.agreeing++;
    else wrong.push(test.description);
  }
  return wrong.length ? { ...result, problem: `disagrees on: ${wrong.join("; ")}` } : result;
}

/** Keyword of a suite file: its name (`if-then-else.json` → `if-then-else`). */
const keywordOf = (file: string) => file.replace(/\.json$/, "");

function table(results: GroupResult[]): string {
  const rows = new Map<string, { cases: number; agreeing: number; groups: number; excepted: number }>();
  for (const r of results) {
    const row = rows.get(r.file) ?? { cases: 0, agreeing: 0, groups: 0, excepted: 0 };
    row.cases += r.cases;
    row.agreeing += r.agreeing;
    row.groups++;
    if (r.problem) row.excepted++;
    rows.set(r.file, row);
  }
  const lines = [
    "# JSON Schema Test Suite through the generator",
    "",
    "Written by test/conformance/json-schema-test-suite.test.ts (UPDATE_CONFORMANCE=1). Groups that disagree are listed with a reason in known-exceptions.json.",
    "",
    "| draft | keyword | cases agreeing | groups excepted |",
    "| --- | --- | --- | --- |",
  ];
  let total = { cases: 0, agreeing: 0 };
  for (const [file, row] of rows) {
    const [draft, name] = file.split("/");
    lines.push(`| ${draft} | ${keywordOf(name)} | ${row.agreeing} / ${row.cases} | ${row.excepted || ""} |`);
    total = { cases: total.cases + row.cases, agreeing: total.agreeing + row.agreeing };
  }
  lines.push(`| all | | ${total.agreeing} / ${total.cases} | |`, "");
  return lines.join("\n");
}

describe("JSON Schema Test Suite", () => {
  it("every case agrees, but for the listed exceptions; the table is up to date", { timeout: 300_000 }, async () => {
    const results: GroupResult[] = [];
    for (const draft of ["draft7", "draft2020-12"]) {
      for (const file of readdirSync(path.join(SUITE, draft))
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        const groups: Group[] = JSON.parse(readFileSync(path.join(SUITE, draft, file), "utf8"));
        for (const group of groups) results.push(await runGroup(draft, file, group));
      }
    }
    const unexpected = results
      .filter((r) => r.problem && !EXCEPTIONS[r.file]?.[r.group])
      .map((r) => `${r.file} "${r.group}": ${r.problem}`);
    const stale = Object.entries(EXCEPTIONS).flatMap(([file, groups]) =>
      Object.keys(groups)
        .filter((g) => !results.some((r) => r.file === file && r.group === g && r.problem))
        .map((g) => `${file} "${g}"`),
    );
    const resultsFile = path.join(HERE, "results.md");
    const text = table(results);
    if (process.env.UPDATE_CONFORMANCE === "1" || !existsSync(resultsFile)) writeFileSync(resultsFile, text);
    expect(unexpected, "disagreements not in known-exceptions.json").toEqual([]);
    expect(stale, "exceptions in known-exceptions.json that now agree: remove them").toEqual([]);
    expect(text).toBe(readFileSync(resultsFile, "utf8"));
  });
});
