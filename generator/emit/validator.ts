/**
 * Emits a model's input validator as ajv standalone ESM code. Ajv's output still contains
 * `require(...)` for helpers; each is rewritten, structurally (by parsing the code), into an import of
 * the package's own runtime, and any other `require`, `eval` or `new Function` fails generation.
 */
import Ajv from "ajv";
import standaloneCodeModule from "ajv/dist/standalone/index.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import { ts } from "ts-morph";
import { STANDARD_FORMATS, MEDIA_FORMATS } from "../normalize.js";
import type { SchemaNode } from "../normalize.js";
import { validatorView } from "./schema-views.js";

// ajv is CommonJS: under NodeNext its default export arrives as the module object.
const AjvClass = ((Ajv as unknown as { default?: unknown }).default ?? Ajv) as typeof Ajv.default;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as typeof standaloneCodeModule.default;

/** Marker module ajv is told to `require` for formats; rewritten to the runtime's formats module. */
const FORMATS_MARKER = "runcomfy-runtime:formats";

/** ajv helper module → [runtime module, export name]. */
const REQUIRE_MAP: Record<string, { module: string; binding: string }> = {
  "ajv/dist/runtime/ucs2length": { module: "ajv-runtime.js", binding: "{ ucs2length as __ucs2length }" },
  "ajv/dist/runtime/equal": { module: "ajv-runtime.js", binding: "{ equal as __equal }" },
  [FORMATS_MARKER]: { module: "formats.js", binding: "{ formats as __formats }" },
};
/** What each `require("…")` expression (and its `.default`) becomes. */
const REPLACEMENT: Record<string, string> = {
  "ajv/dist/runtime/ucs2length": "{ default: __ucs2length }",
  "ajv/dist/runtime/equal": "{ default: __equal }",
  [FORMATS_MARKER]: "{ formats: __formats }",
};

export function compileValidatorCode(schema: SchemaNode, runtimeImportPrefix: string): string {
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
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

/** Replaces each `require("x")` call with a runtime import; anything unexpected is an error. */
export function rewriteRequires(code: string, runtimeImportPrefix: string): string {
  const file = ts.createSourceFile("validator.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const used = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const callee = node.expression.text;
      if (callee === "eval" || callee === "Function") throw new Error(`generated validator calls ${callee}()`);
      if (callee === "require") {
        const arg = node.arguments[0];
        if (node.arguments.length !== 1 || !arg || !ts.isStringLiteral(arg) || !(arg.text in REQUIRE_MAP)) {
          throw new Error(`generated validator requires an unexpected module: ${node.getText(file)}`);
        }
        used.add(arg.text);
        edits.push({ start: node.getStart(file), end: node.getEnd(), text: `(${REPLACEMENT[arg.text]})` });
        return;
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Function") throw new Error("generated validator uses new Function()");
    node.forEachChild(visit);
  };
  visit(file);
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  out = out.replace(/^"use strict";/, "");
  const imports = [...used].sort().map((m) => `import ${REQUIRE_MAP[m].binding} from ${JSON.stringify(runtimeImportPrefix + REQUIRE_MAP[m].module)};`);
  return `${imports.join("\n")}${imports.length ? "\n" : ""}${out}\n`;
}
