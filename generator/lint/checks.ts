/**
 * Stage 3 — lint notes: checks of a loaded and normalized schema file that the normalizer cannot make
 * node by node: limits or rules that no value can pass, defaults and examples that violate their own
 * schema. `lint` and `generate` both run them (compile.ts), so an error here fails both alike.
 */
import type { ValidateFunction } from "ajv";
import { compileInputValidator, newSchemaAjv, validatorView, type AjvInstance } from "../shared/ajv.js";
import { issueFromAjv } from "../runtime/validation/issues.js";
import { joinPointer } from "../runtime/json-pointer.js";
import { makeNote, type Note, type NoteCode } from "../shared/notes.js";
import type { SchemaNode } from "../ir/schema-node.js";
import { forEachSubschema } from "../ir/schema-node.js";
import { checkPatterns } from "./redos.js";
import { formatExpr } from "../runtime/validation/rule-eval.js";
import { MEDIA_NOUN, type CheckedRule } from "../runtime/validation/rule-types.js";
import { mediaHasMetric } from "../runtime/validation/metrics.js";
import { fillExampleBlanks } from "../model/example.js";
import type { PricingFields } from "../load/pricing-fields.js";
import { PRICE_UNITS } from "../runtime/pricing/pricing.js";

let ajv: AjvInstance | undefined;
let compiled = 0;
/** Compiles per instance before a fresh one: an Ajv keeps every compiled schema's values in its scope for its lifetime. */
export const COMPILES_PER_AJV = 200;

/**
 * Compiles a schema for one check. One Ajv serves a few hundred compiles, then is dropped: ajv keeps
 * each compiled schema (its cache and its code's value scope) as long as the instance lives, tens of
 * KB a model, which over a run of thousands of models was most of the generator's memory.
 */
export function compileForCheck(schema: SchemaNode) {
  const view = validatorView(schema);
  // Models of one family repeat their property schemas (prompt, seed, sizes): each distinct one is compiled once.
  const key = JSON.stringify(view);
  const known = recent.get(key);
  if (known) return known;
  if (!ajv || compiled >= COMPILES_PER_AJV) {
    ajv = newSchemaAjv();
    compiled = 0;
  }
  compiled++;
  const validate = ajv.compile(view);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  recent.set(key, validate);
  return validate;
}

/** The validators of the last distinct schemas compiled (bounded: memory stays flat over a run). */
const recent = new Map<string, ReturnType<AjvInstance["compile"]>>();
const RECENT_LIMIT = 256;

export interface CheckInput {
  /**
   * The normalized input schema (partial when normalizing failed), where it sits in the file, and
   * the schema as written (for annotations the normalizer does not keep, such as `x-redos-accepted`).
   */
  input?: { schema: SchemaNode; pointer: string; raw: unknown };
  output?: { schema: SchemaNode; pointer: string; raw: unknown };
  example: unknown;
  /** The catalog's pricing the file records, if any. */
  pricing?: PricingFields | null;
}

/**
 * Stage 3 for one schema file: the checks of its normalized schemas (or what could be read of them),
 * each placed where it sits in the file, and of its example.
 */
export function lintSchemaFile(
  loaded: { inputSchema: unknown; outputSchema: unknown; example: unknown; pricing?: PricingFields | null },
  input: SchemaNode | undefined,
  output: SchemaNode | undefined,
): Note[] {
  return checkSchemas({
    input: input && { schema: input, pointer: "/input_schema", raw: loaded.inputSchema },
    output:
      output && loaded.outputSchema !== null
        ? { schema: output, pointer: outputPointer(loaded.outputSchema), raw: unwrappedOutput(loaded.outputSchema) }
        : undefined,
    example: loaded.example,
    pricing: loaded.pricing,
  });
}

/** The notes of every check, in file order of their checks. */
export function checkSchemas({ input, output, example, pricing }: CheckInput): Note[] {
  const notes: Note[] = [];
  const add: Add = (pointer, code, message) => notes.push(makeNote(code, pointer, message));
  if (pricing && !(PRICE_UNITS as readonly string[]).includes(pricing.priceUnit))
    add(
      "/price_unit",
      "unknown-price-unit",
      `price_unit ${JSON.stringify(pricing.priceUnit)} is not a unit this package can multiply (${PRICE_UNITS.map((u) => JSON.stringify(u)).join(", ")}): cost estimates will say they cannot estimate`,
    );
  if (input) {
    checkNode(input.schema, input.pointer, add);
    checkPatterns(input.schema, input.pointer, input.raw, add);
    if (example !== null && example !== undefined) checkExample(input.schema, example, add);
  }
  if (output) {
    checkNode(output.schema, output.pointer, add);
    checkPatterns(output.schema, output.pointer, output.raw, add);
  }
  return notes;
}

/** Where a captured output schema's own content sits: the docs print it wrapped as `{"output": {…}}`. */
function outputPointer(raw: unknown): string {
  return isWrapped(raw) ? "/output_schema/output" : "/output_schema";
}

/** A captured output schema without the docs' `{"output": {…}}` wrapper. */
function unwrappedOutput(raw: unknown): unknown {
  return isWrapped(raw) ? (raw as { output: unknown }).output : raw;
}

function isWrapped(raw: unknown): boolean {
  return !!raw && typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 1 && "output" in raw;
}

type Add = (pointer: string, code: NoteCode, message: string) => void;

/** Checks of one normalized node (and its children): defaults, contradictions, enums, rules. */
function checkNode(node: SchemaNode, pointer: string, add: Add): void {
  const pairs: [keyof SchemaNode, keyof SchemaNode, string][] = [
    ["minimum", "maximum", "minimum is greater than maximum"],
    ["minLength", "maxLength", "minLength is greater than maxLength"],
    ["minItems", "maxItems", "minItems is greater than maxItems"],
  ];
  for (const [lo, hi, what] of pairs) {
    if (typeof node[lo] === "number" && typeof node[hi] === "number" && (node[lo] as number) > (node[hi] as number)) {
      add(
        joinPointer(pointer, lo),
        "contradictory-limits",
        `${what} (${node[lo]} > ${node[hi]}): no value can pass; swap or fix them`,
      );
    }
  }
  if (node.default !== undefined) {
    const problems = valueProblems(node, node.default);
    if (problems.length) {
      add(
        joinPointer(pointer, "default"),
        "default-invalid",
        `the default ${truncate(JSON.stringify(node.default))} violates its own schema: ${problems.join("; ")}; it is left out of the types, docs and examples`,
      );
      // Not offered anywhere (JSDoc, docs table, examples, the exported schema): the model's own validator refuses it.
      delete node.default;
    }
  }
  if (node["x-rules"]) {
    const checked = node["x-rules"].filter((r): r is CheckedRule => r.kind === "checked");
    checkRuleContradictions(checked, joinPointer(pointer, "validations"), add);
    checkRuleMetrics(node, joinPointer(pointer, "validations"), add);
  }
  forEachSubschema(node, (child, keyword, key) =>
    checkNode(child, key === undefined ? joinPointer(pointer, keyword) : joinPointer(pointer, keyword, key), add),
  );
}

function truncate(s: string, n = 60) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function valueProblems(node: SchemaNode, value: unknown): string[] {
  let validate;
  try {
    validate = compileForCheck(node);
  } catch {
    // A subschema that cannot stand alone (a local $ref into the root): the root's checks cover it.
    return [];
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "value"} ${issueFromAjv(e).message}`);
}

/**
 * The example request body, checked by the model's own input validator (the one the package ships,
 * compiled once for lint and emit); a schema that validator cannot be compiled from (generation
 * fails on it anyway) is checked by a lenient compile instead. Messages are the runtime's.
 */
function checkExample(schema: SchemaNode, example: unknown, add: Add): void {
  let validate: ValidateFunction;
  try {
    validate = compileInputValidator(schema).validate;
  } catch {
    validate = compileForCheck(schema);
  }
  // The docs' blanks ("" at a required input) are checked as the model shows them, filled (model/example.ts).
  if (example !== null && typeof example === "object" && !Array.isArray(example)) {
    const { input, filled } = fillExampleBlanks(schema, example as Record<string, unknown>);
    for (const at of filled)
      add(
        `/example${at}`,
        "example-blank",
        `the example sends "" at the required input ${at}: the docs and the exported example show a placeholder instead`,
      );
    example = input;
  }
  if (validate(example)) return;
  for (const e of validate.errors ?? []) {
    const at = e.keyword === "required" ? "/example" : `/example${e.instancePath}`;
    const issue = issueFromAjv(e);
    add(at, "example-invalid", `the example request body is invalid: ${issue.path || "/"} ${issue.message}`);
  }
}

/** A rule measuring what the property's media kind does not have (`duration_seconds` on an image). */
function checkRuleMetrics(node: SchemaNode, pointer: string, add: Add): void {
  // A string without a media format may still be a media URL (catalog schemas often omit the format:
  // the normalizer's media-from-rules note); at run time its rules apply only when the value is a URL.
  const media = node["x-media"] ?? node.items?.["x-media"];
  if (!media) return;
  node["x-rules"]!.forEach((rule, i) => {
    if (rule.kind !== "checked") return;
    const foreign = rule.metrics.filter((m) => !mediaHasMetric(media, m));
    if (foreign.length) {
      add(
        joinPointer(pointer, i),
        "rule-metric-media-mismatch",
        `rule ${JSON.stringify(rule.source.rule)} measures ${foreign.join(", ")}, which ${MEDIA_NOUN[media]} does not have; it is reported as unchecked at validation time`,
      );
    }
  });
}

/** Rules on the same expression whose allowed ranges do not overlap: no value can pass. */
function checkRuleContradictions(rules: CheckedRule[], pointer: string, add: Add): void {
  const byExpr = new Map<string, CheckedRule[]>();
  for (const r of rules) byExpr.set(formatExpr(r.expr), [...(byExpr.get(formatExpr(r.expr)) ?? []), r]);
  for (const [expr, group] of byExpr) {
    let lo = -Infinity;
    let loOpen = false;
    let hi = Infinity;
    let hiOpen = false;
    const equals: number[] = [];
    for (const r of group) {
      if (r.op === "<" || r.op === "<=") {
        if (r.limit < hi || (r.limit === hi && r.op === "<")) [hi, hiOpen] = [r.limit, r.op === "<"];
      } else if (r.op === ">" || r.op === ">=") {
        if (r.limit > lo || (r.limit === lo && r.op === ">")) [lo, loOpen] = [r.limit, r.op === ">"];
      } else if (r.op === "==") equals.push(r.limit);
    }
    const inRange = (v: number) => (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    const empty =
      lo > hi ||
      (lo === hi && (loOpen || hiOpen)) ||
      (equals.length > 0 && (new Set(equals).size > 1 || !inRange(equals[0])));
    if (empty) {
      add(
        pointer,
        "contradictory-rules",
        `the rules on ${expr} contradict each other (${group.map((r) => `${expr} ${r.op} ${r.limit}`).join(", ")}): no media can pass`,
      );
    }
  }
}
