/**
 * Emits a model's input validator as ajv standalone ESM code. Ajv's output still contains
 * `require(...)` for helpers; each is rewritten, structurally (by scanning the code), into an import of
 * the package's own runtime, and any other `require`, `eval` or `new Function` fails generation. The
 * code is then compacted (validator-compact.ts) and minified (minify.ts).
 */
import { AjvClass, standaloneCode } from "../shared/ajv.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import { hasOwn } from "../shared/errors.js";
import { findCalls, mask } from "./js-scan.js";
import { minify } from "./minify.js";
import { applyEdits, compactionEdits, PUSH_ERROR, type Edit } from "./validator-compact.js";
import { STANDARD_FORMATS, MEDIA_FORMATS } from "../normalize/normalize.js";
import type { SchemaNode } from "../normalize/normalize.js";
import { validatorView } from "./schema-views.js";


/** Marker module ajv is told to `require` for formats; rewritten to the runtime's formats module. */
const FORMATS_MARKER = "runcomfy-runtime:formats";

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

/** ajv's code for the schema, its helpers imported from the runtime, compacted and minified. */
export function compileValidator(schema: SchemaNode, runtimeImportPrefix: string): CompiledValidatorCode {
  return minifyValidator(compactValidator(compileValidatorCode(schema)), runtimeImportPrefix);
}

/** A validator between compaction and minification (plain data: it crosses from the worker thread). */
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
  const masked = mask(standalone);
  const requires = requireEdits(standalone, masked);
  const compaction = compactionEdits(standalone, masked);
  const code = applyEdits(standalone, [...requires.edits, ...compaction.edits], m[0].length).trim();
  const bindings = [...requires.used].map((module): [string, string] => [REQUIRE_MAP[module].exportName, REQUIRE_MAP[module].binding]);
  if (compaction.usesPushError) bindings.push(["pushError", PUSH_ERROR]);
  return { code, functionName: m[1], bindings };
}

/** Names the model module's template declares next to the validator (templates/model-index.js.hbs). */
const TEMPLATE_NAMES = ["modelId", "validator", "inputSchema", "outputSchema", "ruleTargets", "example", "definition", "validateSchema", "validate", "validateModelInput", "validateSchemaOf"];

/** The model module's validator: minified (minify.ts: short local names, no needless parentheses or spaces) and its import. */
export function minifyValidator(validator: CompactValidator, runtimeImportPrefix: string): CompiledValidatorCode {
  const { code, names } = minify(validator.code, TEMPLATE_NAMES);
  const specifiers = validator.bindings.filter(([, local]) => names.has(local)).map(([exported, local]) => `${exported} as ${names.get(local)}`);
  const imports = specifiers.length ? `import{${specifiers.sort().join(",")}}from${JSON.stringify(runtimeImportPrefix + "core.js")};` : "";
  const functionName = names.get(validator.functionName);
  if (!functionName) throw new Error("the minified validator lost its function");
  // Renaming cannot introduce these names (they are reserved); only a string may hold one.
  if (/\b(?:require|eval|Function)\b/.test(code)) assertSafeValidatorCode(code, mask(code));
  return { imports, code, functionName };
}

/** ajv's standalone ESM code for the schema, as ajv writes it. */
export function compileValidatorCode(schema: SchemaNode): string {
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
    // The normalizer already produced clean JSON Schema: skipping meta-schema validation makes
    // constructing one Ajv per model (needed for deterministic names) 9× cheaper.
    meta: false,
    validateSchema: false,
    // Messages are written by the runtime from keyword and params (runtime/issues.ts): smaller code.
    messages: false,
    strictTypes: false,
    allowUnionTypes: true,
    unicodeRegExp: true,
    // ajv's optimizer off: compiling costs ~40 % less, and the minifier drops the unread declarations
    // it would have removed (minify.ts).
    code: { source: true, esm: true, lines: false, optimize: false, formats: _`require(${FORMATS_MARKER}).formats` },
  });
  for (const name of [...STANDARD_FORMATS, ...Object.keys(MEDIA_FORMATS)]) ajv.addFormat(name, () => true);
  const validate = ajv.compile(validatorView(schema));
  return standaloneCode(ajv, validate);
}

/**
 * Edits replacing each `require("x").prop` with the runtime binding standing in for it (a bare
 * `require("x")` with an object holding it); `eval`, `Function` or any other module fails generation.
 */
export function requireEdits(code: string, masked = mask(code)): { edits: Edit[]; used: Set<string> } {
  const used = new Set<string>();
  const edits: Edit[] = [];
  for (const call of findCalls(code, FORBIDDEN_OR_REWRITTEN, masked)) {
    if (call.name !== "require") throw new Error(`generated validator calls ${call.name}()`);
    if (call.argument === undefined || !hasOwn(REQUIRE_MAP, call.argument)) throw new Error(`generated validator requires an unexpected module: ${code.slice(call.start, call.end + 40)}`);
    const { binding, property } = REQUIRE_MAP[call.argument];
    used.add(call.argument);
    const access = `.${property}`;
    if (code.startsWith(access, call.end) && !/[\w$]/.test(code[call.end + access.length] ?? "")) edits.push({ start: call.start, end: call.end + access.length, text: binding });
    else edits.push({ start: call.start, end: call.end, text: `({ ${property}: ${binding} })` });
  }
  return { edits, used };
}

/** The finished validator may call nothing that evaluates code or loads modules. */
function assertSafeValidatorCode(code: string, masked: string): void {
  const call = findCalls(code, FORBIDDEN_OR_REWRITTEN, masked)[0];
  if (call) throw new Error(`generated validator calls ${call.name}()`);
}

const FORBIDDEN_OR_REWRITTEN = new Set(["require", "eval", "Function"]);
