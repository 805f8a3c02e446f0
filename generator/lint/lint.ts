/**
 * Schema linting for CI: every problem in every file, each with file, line and column (from the JSON
 * text), a stable rule id, a severity and a message that says how to fix it. Uses the same loader and
 * normalizer as the generator, so anything `generate` would reject is reported with the same words.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AjvClass, type AjvInstance } from "../shared/ajv.js";
import { SchemaErrors, SchemaFileError, joinPointer } from "../shared/errors.js";
import { validatorView } from "../emit/schema-views.js";
import { JsonSyntaxError, parseJsonWithPositions, type Position } from "../load/json-parse.js";
import { ENVELOPE_KEYS, findSchemaFiles, parseSchemaFile } from "../load/load.js";
import { normalizeInputSchema, normalizeOutputSchema, type SchemaNode } from "../normalize/normalize.js";
import { severityOf, type Note, type NoteCode, type NoteSeverity, type SeverityPolicy } from "../shared/notes.js";
import { formatExpr } from "../runtime/rule-eval.js";
import { formats } from "../runtime/formats.js";
import type { CheckedRule } from "../runtime/rule-types.js";

export interface Finding {
  file: string;
  line: number;
  column: number;
  ruleId: NoteCode;
  severity: Exclude<NoteSeverity, "info">;
  message: string;
}

let ajv: AjvInstance | undefined;
function lintAjv() {
  if (!ajv) {
    ajv = new AjvClass({ allErrors: true, strict: false });
    for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, check);
  }
  return ajv;
}

/** The position of a pointer, or of its nearest ancestor that has one. */
function positionOf(positions: Map<string, Position>, pointer: string): Position {
  let p = pointer;
  while (true) {
    const found = positions.get(p);
    if (found) return found;
    if (!p) return { line: 1, column: 1, offset: 0 };
    p = p.slice(0, p.lastIndexOf("/"));
  }
}

export interface LintOptions {
  /** The schemas root, for the id-vs-path check. Default: the folder argument, or `schemas`. */
  root?: string;
  /** Rules that cannot be checked are errors, as with `generate --strict`. */
  strict?: boolean;
  /** Severities from the config file (`rules`); `strict` above wins over them. */
  rules?: SeverityPolicy["rules"];
}

/** Lints files and folders; returns findings sorted by file, line, column. */
export async function lintPaths(paths: string[], options: LintOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const seenIds = new Map<string, string>();
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new Error(`no such file or folder: ${p}`);
    }
    const files = info.isDirectory() ? await findSchemaFiles(p) : [p];
    const root = options.root ?? (info.isDirectory() ? p : "schemas");
    for (const file of files) {
      const text = await readFile(file, "utf8");
      const rel = path.relative(root, file).split(path.sep).join("/");
      findings.push(...lintText(file, rel.startsWith("..") ? undefined : rel, text, seenIds, { strict: !!options.strict, rules: options.rules }));
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : 1)));
}

/**
 * Lints one file's text. `relPath` is its path below the schemas root (undefined when outside it:
 * then the path must end with `<model_id>.json`).
 */
export function lintText(file: string, relPath: string | undefined, text: string, seenIds = new Map<string, string>(), strict: boolean | SeverityPolicy = false): Finding[] {
  const out: Finding[] = [];
  let positions = new Map<string, Position>();
  const add = (pointer: string, ruleId: NoteCode, severity: Finding["severity"], message: string) => {
    const pos = positionOf(positions, pointer);
    out.push({ file, line: pos.line, column: pos.column, ruleId, severity, message });
  };
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    out.push({ file, line: e.position.line, column: e.position.column, ruleId: "invalid-json", severity: "error", message: `invalid JSON: ${e.detail}` });
    return out;
  }
  positions = parsed.positions;
  for (const d of parsed.duplicateKeys) add(d.pointer, "duplicate-key", "error", `key appears twice; JSON readers keep only the last one — remove one`);
  const doc = parsed.value as Record<string, unknown>;
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    for (const key of ["model_id", "input_schema"]) if (!(key in doc)) add("", "missing-key", "error", `missing top-level key ${JSON.stringify(key)}`);
    for (const key of Object.keys(doc)) if (!(ENVELOPE_KEYS as readonly string[]).includes(key)) add("/" + key, "unexpected-key", "error", `unexpected top-level key ${JSON.stringify(key)}; allowed: ${ENVELOPE_KEYS.join(", ")}`);
  }
  // The loader: envelope, id and path. Its errors are the generator's own words.
  const id = typeof doc?.model_id === "string" ? doc.model_id : undefined;
  const expectedRel = relPath ?? (id && file.split(path.sep).join("/").endsWith(`/${id}.json`) ? `${id}.json` : `?${path.basename(file)}`);
  let loaded;
  try {
    loaded = parseSchemaFile(file, expectedRel, text, true);
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    if (!out.some((f) => f.ruleId === "missing-key" || f.ruleId === "unexpected-key") || !["envelope"].includes(e.ruleId)) add(e.pointer, e.ruleId, "error", e.detail);
    return out;
  }
  const prev = seenIds.get(loaded.modelId.toLowerCase());
  if (prev && prev !== file) add("/model_id", "duplicate-model-id", "error", `model_id ${JSON.stringify(loaded.modelId)} is also defined in ${prev}`);
  else seenIds.set(loaded.modelId.toLowerCase(), file);

  // The normalizer: what generate would reject (errors) and what it changed (warnings).
  const schemas: [string, () => { schema: SchemaNode; notes: Note[] }, string][] = [
    ["/input_schema", () => normalizeInputSchema(loaded.inputSchema, file), "/input_schema"],
    ["/output_schema", () => normalizeOutputSchema(loaded.outputSchema, file), "/output_schema"],
  ];
  for (const [, run, base] of schemas) {
    let result;
    try {
      result = run();
    } catch (e) {
      if (!(e instanceof SchemaErrors)) throw e;
      for (const err of e.errors) add(err.pointer, err.ruleId, "error", err.detail);
      reportNotes(e.notes, add, strict);
      continue;
    }
    reportNotes(result.notes, add, strict);
    const outputBase = base === "/output_schema" && isWrapped(loaded.outputSchema) ? "/output_schema/output" : base;
    if (base === "/output_schema" && loaded.outputSchema === null) continue;
    checkNode(result.schema, outputBase, add);
    if (base === "/input_schema" && loaded.example) checkExample(result.schema, loaded.example, add);
  }
  return out;
}

/** The normalizer's notes as findings, at the registry's severity (notes.ts). */
function reportNotes(notes: Note[], add: Add, policy: boolean | SeverityPolicy): void {
  for (const n of notes) {
    const severity = severityOf(n.code, policy);
    if (severity === "error" || severity === "warning") add(n.pointer, n.code, severity, n.message);
  }
}

function isWrapped(raw: unknown): boolean {
  return !!raw && typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 1 && "output" in raw;
}

type Add = (pointer: string, ruleId: NoteCode, severity: Finding["severity"], message: string) => void;

/** Checks of one normalized node (and its children): defaults, contradictions, enums, rules. */
function checkNode(node: SchemaNode, pointer: string, add: Add): void {
  const pairs: [keyof SchemaNode, keyof SchemaNode, string][] = [
    ["minimum", "maximum", "minimum is greater than maximum"],
    ["minLength", "maxLength", "minLength is greater than maxLength"],
    ["minItems", "maxItems", "minItems is greater than maxItems"],
  ];
  for (const [lo, hi, what] of pairs) {
    if (typeof node[lo] === "number" && typeof node[hi] === "number" && (node[lo] as number) > (node[hi] as number)) {
      add(joinPointer(pointer, lo), "contradictory-limits", "error", `${what} (${node[lo]} > ${node[hi]}): no value can pass; swap or fix them`);
    }
  }
  if (node.default !== undefined) {
    const problems = valueProblems(node, node.default);
    if (problems.length) add(joinPointer(pointer, "default"), "default-invalid", "error", `the default ${truncate(JSON.stringify(node.default))} violates its own schema: ${problems.join("; ")}`);
  }
  if (node["x-rules"]) checkRuleContradictions(node["x-rules"].filter((r): r is CheckedRule => r.kind === "checked"), joinPointer(pointer, "validations"), add);
  for (const [key, child] of Object.entries(node.properties ?? {})) checkNode(child, joinPointer(pointer, "properties", key), add);
  if (node.items) checkNode(node.items, joinPointer(pointer, "items"), add);
}

function truncate(s: string, n = 60) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function valueProblems(node: SchemaNode, value: unknown): string[] {
  const validate = lintAjv().compile(validatorView(node));
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "value"} ${e.message}${e.keyword === "enum" ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")})` : ""}`);
}

function checkExample(schema: SchemaNode, example: unknown, add: Add): void {
  const validate = lintAjv().compile(validatorView(schema));
  if (validate(example)) return;
  for (const e of validate.errors ?? []) {
    const at = e.keyword === "required" ? "/example" : `/example${e.instancePath}`;
    add(at, "example-invalid", "error", `the example request body is invalid: ${e.instancePath || "/"} ${e.message}`);
  }
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
    const empty = lo > hi || (lo === hi && (loOpen || hiOpen)) || (equals.length > 0 && (new Set(equals).size > 1 || !inRange(equals[0])));
    if (empty) {
      add(pointer, "contradictory-rules", "error", `the rules on ${expr} contradict each other (${group.map((r) => `${expr} ${r.op} ${r.limit}`).join(", ")}): no media can pass`);
    }
  }
}
