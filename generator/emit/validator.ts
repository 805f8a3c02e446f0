/**
 * Emits a model's input validator as ajv standalone ESM code. Ajv's output still contains
 * `require(...)` for helpers; each is rewritten, structurally (from acorn's tokens), into an import of
 * the package's own runtime, and any other `require`, `eval` or `new Function` fails generation. The
 * code is then compacted (validator-compact.ts) and printed by esbuild (formatted, names kept: the
 * shipped validator is readable and reviewable; a consumer's bundler minifies it).
 */
import { compileInputValidator, FORMATS_MARKER, standaloneCode } from "../shared/ajv.js";
import { hasOwn } from "../shared/errors.js";
import { transform } from "esbuild";
import { findCalls, mask, scan } from "./code-tokens.js";
import { applyEdits, compactionEdits, type Edit } from "./validator-compact.js";
import type { SchemaNode } from "../ir/schema-node.js";

/**
 * Each module ajv's code may `require`: the runtime export standing in for it, and the property ajv
 * reads off the module (`require(m).default`), which the rewrite folds into the binding itself.
 */
const REQUIRE_MAP: Record<string, { exportName: string; binding: string; property: string }> = {
  "ajv/dist/runtime/ucs2length": { exportName: "ucs2length", binding: "__ucs2length", property: "default" },
  "ajv/dist/runtime/equal": { exportName: "equal", binding: "__equal", property: "default" },
  [FORMATS_MARKER]: { exportName: "formats", binding: "__formats", property: "formats" },
};

export interface CompiledValidatorCode {
  /** One `import { … } from "<runtime>/core.js";` statement, or "". */
  imports: string;
  /** The validator's code, without ajv's export statements. */
  code: string;
  /** Name of the validating function in `code`. */
  functionName: string;
}

/** ajv's standalone output starts with these exports; the model module exports the function itself. */
const EXPORTS = /^"use strict";export const validate = ([A-Za-z_$][\w$]*);export default \1;/;

/** A validator compacted, before formatting (plain data: it crosses from the worker thread). */
export interface CompactValidator {
  code: string;
  functionName: string;
  /** Runtime exports the code uses, each with the local name it uses. */
  bindings: [exported: string, local: string][];
}

/**
 * ajv's standalone code without its exports, each `require` replaced by a runtime binding, and
 * compacted (validator-compact.ts): all edits are found in one scan of the code.
 */
export function compactValidator(standalone: string): CompactValidator {
  const m = EXPORTS.exec(standalone);
  if (!m) throw new Error("unexpected start of ajv's standalone code");
  const scanned = scan(standalone);
  const masked = mask(standalone, scanned);
  const requires = requireEdits(standalone, scanned);
  const code = applyEdits(standalone, [...requires.edits, ...compactionEdits(standalone, masked)], m[0].length).trim();
  const bindings = [...requires.used].map((module): [string, string] => [
    REQUIRE_MAP[module].exportName,
    REQUIRE_MAP[module].binding,
  ]);
  return { code, functionName: m[1], bindings };
}

/** Names the model module's template declares next to the validator (templates/model-index.js.hbs). */
const TEMPLATE_NAMES = new Set([
  "modelId",
  "validator",
  "inputSchema",
  "outputSchema",
  "ruleTargets",
  "knownProperties",
  "example",
  "definition",
  "validateSchema",
  "validate",
  "validateModelInput",
  "validateSchemaOf",
]);

/**
 * The model module's validator: the compacted code printed by esbuild (two-space indentation, one
 * statement a line, names as ajv chose them) and its import of the runtime helpers it uses.
 */
export async function formatValidator(
  validator: CompactValidator,
  runtimeImportPrefix: string,
): Promise<CompiledValidatorCode> {
  // Asynchronous: esbuild's service formats while this thread emits types (its sync API would add a thread per caller).
  const code = await printJs(validator.code);
  for (const mention of findCalls(code, CHECKED_NAMES)) {
    // A key of an object literal names nothing (ajv's recursive-ref wrapper is `{ validate: validate1 }`).
    if (
      TEMPLATE_NAMES.has(mention.name) &&
      /^\s*:/.test(code.slice(mention.end)) &&
      /[{,]\s*$/.test(code.slice(0, mention.start))
    )
      continue;
    // ajv names its top-level declarations with a numbered suffix; a template name here would be a shape not understood.
    if (TEMPLATE_NAMES.has(mention.name))
      throw new Error(`generated validator declares ${mention.name}, a name the model module uses`);
    // The finished validator may name nothing that evaluates code or loads modules.
    throw new Error(`generated validator calls ${mention.name}()`);
  }
  const specifiers = validator.bindings.map(([exported, local]) => `${exported} as ${local}`).sort();
  const imports = specifiers.length
    ? `import { ${specifiers.join(", ")} } from ${JSON.stringify(runtimeImportPrefix + "core.js")};`
    : "";
  return { imports, code, functionName: validator.functionName };
}

const PRINT_OPTIONS = { loader: "js", charset: "utf8", legalComments: "none" } as const;
/** The function each validator is wrapped in when several are printed by one esbuild call. */
const BATCH_WRAPPER = "__rcgPrint";
/** Most validators one esbuild call prints, and how long the first waits for others to join it. */
const BATCH_SIZE = 16;
const BATCH_WAIT_MS = 2;

interface PrintJob {
  code: string;
  resolve: (printed: string) => void;
  reject: (e: unknown) => void;
}
let waiting: PrintJob[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * esbuild's print of `code`, trailing whitespace trimmed. esbuild's cost is mostly per call, so the
 * validators waiting at the same moment are printed by one call, each wrapped in a function and taken
 * back out one indentation level less (exactly what printing it alone gives); a batch whose output
 * cannot be taken apart exactly is printed one validator at a time.
 */
function printJs(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    waiting.push({ code, resolve, reject });
    if (waiting.length >= BATCH_SIZE) printWaiting();
    else timer ??= setTimeout(printWaiting, BATCH_WAIT_MS);
  });
}

function printWaiting(): void {
  clearTimeout(timer);
  timer = undefined;
  const jobs = waiting;
  waiting = [];
  if (jobs.length === 1) return printAlone(jobs[0]);
  const source = jobs.map((j, i) => `function ${BATCH_WRAPPER}${i}() {\n${j.code}\n}\n`).join("");
  transform(source, PRINT_OPTIONS).then(
    (printed) => {
      const bodies = unwrapBatch(printed.code, jobs.length);
      jobs.forEach((j, i) => (bodies ? j.resolve(bodies[i]) : printAlone(j)));
    },
    // One validator esbuild refuses fails only its own model.
    () => jobs.forEach(printAlone),
  );
}

function printAlone(job: PrintJob): void {
  transform(job.code, PRINT_OPTIONS).then((printed) => job.resolve(printed.code.trimEnd()), job.reject);
}

/**
 * The bodies of the wrapped functions in esbuild's output, one indentation level less, or undefined
 * unless that is exact: with no template literal in the output, every line break is esbuild's own and
 * every line of a body is indented one level more than it would be alone.
 */
function unwrapBatch(printed: string, count: number): string[] | undefined {
  if (printed.includes("`")) return undefined;
  const lines = printed.split("\n");
  const bodies: string[] = [];
  let i = 0;
  for (let n = 0; n < count; n++) {
    if (lines[i++] !== `function ${BATCH_WRAPPER}${n}() {`) return undefined;
    const body: string[] = [];
    for (; i < lines.length && lines[i] !== "}"; i++) {
      if (lines[i] !== "" && !lines[i].startsWith("  ")) return undefined;
      body.push(lines[i].slice(2));
    }
    if (lines[i++] !== "}") return undefined;
    bodies.push(body.join("\n").trimEnd());
  }
  return lines.slice(i).join("").trim() ? undefined : bodies;
}

/** ajv's standalone ESM code for the schema, as ajv writes it. */
export function compileValidatorCode(schema: SchemaNode): string {
  const { ajv, validate } = compileInputValidator(schema);
  return standaloneCode(ajv, validate);
}

/**
 * Edits replacing each `require("x").prop` with the runtime binding standing in for it (a bare
 * `require("x")` with an object holding it); `eval`, `Function` or any other module fails generation.
 */
export function requireEdits(code: string, scanned = scan(code)): { edits: Edit[]; used: Set<string> } {
  const used = new Set<string>();
  const edits: Edit[] = [];
  for (const call of findCalls(code, FORBIDDEN_OR_REWRITTEN, scanned)) {
    if (call.name !== "require") throw new Error(`generated validator calls ${call.name}()`);
    if (call.argument === undefined || !hasOwn(REQUIRE_MAP, call.argument))
      throw new Error(`generated validator requires an unexpected module: ${code.slice(call.start, call.end + 40)}`);
    const { binding, property } = REQUIRE_MAP[call.argument];
    used.add(call.argument);
    const access = `.${property}`;
    if (code.startsWith(access, call.end) && !/[\w$]/.test(code[call.end + access.length] ?? ""))
      edits.push({ start: call.start, end: call.end + access.length, text: binding });
    else edits.push({ start: call.start, end: call.end, text: `({ ${property}: ${binding} })` });
  }
  return { edits, used };
}

const FORBIDDEN_OR_REWRITTEN = new Set(["require", "eval", "Function"]);
const CHECKED_NAMES = new Set([...FORBIDDEN_OR_REWRITTEN, "import", ...TEMPLATE_NAMES]);
