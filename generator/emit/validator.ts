/**
 * Emits a model's input validator as ajv standalone ESM code. Ajv's output still contains
 * `require(...)` for helpers; each is rewritten, structurally (by parsing the code), into an import of
 * the package's own runtime, and any other `require`, `eval` or `new Function` fails generation.
 */
import { AjvClass, standaloneCode } from "../ajv.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import { hasOwn } from "../errors.js";
import { findCalls } from "./js-scan.js";
import { STANDARD_FORMATS, MEDIA_FORMATS } from "../normalize.js";
import type { SchemaNode } from "../normalize.js";
import { validatorView } from "./schema-views.js";


/** Marker module ajv is told to `require` for formats; rewritten to the runtime's formats module. */
const FORMATS_MARKER = "runcomfy-runtime:formats";

/** ajv helper module → [runtime module, export name]. */
const REQUIRE_MAP: Record<string, { module: string; binding: string }> = {
  "ajv/dist/runtime/ucs2length": { module: "core.js", binding: "{ ucs2length as __ucs2length }" },
  "ajv/dist/runtime/equal": { module: "core.js", binding: "{ equal as __equal }" },
  [FORMATS_MARKER]: { module: "core.js", binding: "{ formats as __formats }" },
};
/** What each `require("…")` expression (and its `.default`) becomes. */
const REPLACEMENT: Record<string, string> = {
  "ajv/dist/runtime/ucs2length": "{ default: __ucs2length }",
  "ajv/dist/runtime/equal": "{ default: __equal }",
  [FORMATS_MARKER]: "{ formats: __formats }",
};

export interface CompiledValidatorCode {
  /** `import … from "<runtime>/core.js";` lines. */
  imports: string;
  /** The validator's code, without ajv's export statements. */
  code: string;
  /** Name of the validating function in `code`. */
  functionName: string;
}

/** ajv's standalone output starts with these exports; the model module exports the function itself. */
const EXPORTS = /^export const validate = ([A-Za-z_$][\w$]*);export default \1;/;

export function compileValidator(schema: SchemaNode, runtimeImportPrefix: string): CompiledValidatorCode {
  const full = compileValidatorCode(schema, runtimeImportPrefix);
  const split = full.indexOf("\n", full.lastIndexOf("import {") >= 0 ? full.lastIndexOf("import {") : 0);
  const imports = full.lastIndexOf("import {") >= 0 ? full.slice(0, split) : "";
  const rest = full.slice(imports ? split + 1 : 0);
  const m = EXPORTS.exec(rest);
  if (!m) throw new Error("unexpected start of ajv's standalone code");
  return { imports, code: rest.slice(m[0].length).trim(), functionName: m[1] };
}

export function compileValidatorCode(schema: SchemaNode, runtimeImportPrefix: string): string {
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
    code: { source: true, esm: true, lines: false, optimize: true, formats: _`require(${FORMATS_MARKER}).formats` },
  });
  for (const name of [...STANDARD_FORMATS, ...Object.keys(MEDIA_FORMATS)]) ajv.addFormat(name, () => true);
  const validate = ajv.compile(validatorView(schema));
  const code = standaloneCode(ajv, validate);
  return rewriteRequires(code, runtimeImportPrefix);
}

/** Replaces each `require("x")` call with a runtime import; `eval`, `Function` or another module is an error. */
export function rewriteRequires(code: string, runtimeImportPrefix: string): string {
  const used = new Set<string>();
  const edits: { start: number; end: number; text: string }[] = [];
  for (const call of findCalls(code, FORBIDDEN_OR_REWRITTEN)) {
    if (call.name !== "require") throw new Error(`generated validator calls ${call.name}()`);
    if (call.argument === undefined || !hasOwn(REQUIRE_MAP, call.argument)) throw new Error(`generated validator requires an unexpected module: ${code.slice(call.start, call.end + 40)}`);
    used.add(call.argument);
    edits.push({ start: call.start, end: call.end, text: `(${REPLACEMENT[call.argument]})` });
  }
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  out = out.replace(/^"use strict";/, "");
  const imports = [...used].sort().map((m) => `import ${REQUIRE_MAP[m].binding} from ${JSON.stringify(runtimeImportPrefix + REQUIRE_MAP[m].module)};`);
  return `${imports.join("\n")}${imports.length ? "\n" : ""}${out}\n`;
}

const FORBIDDEN_OR_REWRITTEN = new Set(["require", "eval", "Function"]);
