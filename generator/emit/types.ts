/**
 * Emits a model's `Input` and `Output` TypeScript types with json-schema-to-typescript, then checks
 * the result token by token (strings and comments masked): exactly the two declarations, balanced
 * braces, no index signatures. The tests parse and typecheck every emitted file with TypeScript.
 */
import { mask } from "./code-tokens.js";
import type { ModelIR } from "../model/model.js";
import type { SchemaNode } from "../ir/schema-node.js";
import { propertyName } from "../shared/escape.js";
import { typesView } from "./schema-views.js";
import { forEachSubschema } from "../ir/schema-node.js";

const JSON2TS_OPTIONS = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  // Only tuples get minItems in the types view (elements beyond it are optional); other arrays keep
  // their limits in the docs (a tuple type per maxItems would explode).
  ignoreMinAndMaxItems: false,
  maxItems: -1,
  unknownAny: true,
  strictIndexSignatures: true,
  declareExternallyReferenced: true,
  enableConstEnums: false,
  inferStringEnumKeysFromValues: false,
  unreachableDefinitions: false,
  // The normalizer refuses any $ref outside the schema; never resolve one from disk or the network.
  $refOptions: { resolve: { external: false, file: false, http: false } },
} as const;

// Heavy libraries load only when a model needs emitting (a cached regeneration never loads them).
let libraries: Promise<{ compile: typeof import("json-schema-to-typescript").compile }> | undefined;
const load = () => (libraries ??= import("json-schema-to-typescript").then((j) => ({ compile: j.compile })));

/** Many models share one output schema (RunComfy's generic one): compile each distinct one once. */
const outputTypes = new Map<string, Promise<string>>();

/** Puts the real property names back where json-schema-to-typescript wrote placeholders (each at a line start). */
function restoreKeys(code: string, keys: string[]): string {
  return code.replace(
    /^__rcKey(\d+)(\??):/gm,
    (_, i: string, optional: string) => `${propertyName(keys[Number(i)])}${optional}:`,
  );
}

async function compileView(
  compile: typeof import("json-schema-to-typescript").compile,
  schema: SchemaNode,
  name: string,
): Promise<string> {
  const keys: string[] = [];
  const code = await compile(typesView(schema, keys) as never, name, JSON2TS_OPTIONS);
  return restoreKeys(code, keys);
}

export async function emitTypes(model: ModelIR): Promise<string> {
  const { compile } = await load();
  const input = await compileView(compile, model.input.schema, "Input");
  const outputKey = JSON.stringify(model.output.schema);
  let output = outputTypes.get(outputKey);
  if (!output) {
    output = compileView(compile, model.output.schema, "Output");
    outputTypes.set(outputKey, output);
  }
  const source = `${input}\n${await output}`;
  const masked = mask(source);
  const problems = checkTypesShape(
    source,
    hasOpenObject(model.input.schema) || hasOpenObject(model.output.schema),
    masked,
  );
  if (problems.length)
    throw new Error(`generated types for ${model.modelId} are not what was intended: ${problems.join("; ")}`);
  return indent(source, masked);
}

/** Whether the schema itself asks for extra keys somewhere (`additionalProperties` true or a schema). */
function hasOpenObject(node: SchemaNode): boolean {
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) return true;
  let open = false;
  forEachSubschema(node, (child) => (open ||= hasOpenObject(child)));
  return open;
}

/**
 * `Input` and `Output` at the top level (and the named types of definitions, each once), balanced
 * braces, no index signatures unless asked for.
 */
export function checkTypesShape(source: string, allowIndexSignatures = false, code = mask(source)): string[] {
  const problems: string[] = [];
  if (/__rcKey\d/.test(code)) problems.push("a property name placeholder was left");
  if (!allowIndexSignatures && /\[\s*[A-Za-z_$][\w$]*\s*:\s*(string|number)\s*\]\s*\??\s*:/.test(code))
    problems.push("has an index signature");
  let depth = 0;
  const names: string[] = [];
  for (const line of code.split("\n")) {
    if (depth === 0 && line.trim()) {
      const m = /^export (?:interface|type) ([A-Za-z_$][\w$]*)\b/.exec(line);
      names.push(m ? m[1] : `<${line.trim().slice(0, 20)}>`);
    }
    for (const ch of line) {
      if (ch === "{") depth++;
      else if (ch === "}" && --depth < 0) problems.push("unbalanced braces");
    }
  }
  if (depth !== 0) problems.push("unbalanced braces");
  const main = names.filter((n) => n === "Input" || n === "Output");
  if (main.join(",") !== "Input,Output" || names.some((n) => n.startsWith("<")))
    problems.push(`declares ${names.join(", ")} instead of Input, Output`);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length)
    problems.push(
      `declares ${twice.join(", ")} twice (a definition of the input and one of the output have the same name: rename one)`,
    );
  return problems;
}

/** Indents json-schema-to-typescript's unformatted output by brace depth (strings and comments masked). */
export function indent(source: string, maskedSource = mask(source)): string {
  const masked = maskedSource.split("\n");
  let depth = 0;
  return (
    source
      .split("\n")
      .map((line, i) => {
        const code = masked[i];
        const leadingClosers = /^\s*(\}+)/.exec(code)?.[1].length ?? 0;
        const level = Math.max(0, depth - leadingClosers);
        for (const ch of code) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
        // Two spaces, as in the rest of every generated file; no trailing blanks (a doc comment's empty line).
        return line.trim() ? "  ".repeat(level) + line.trimEnd() : "";
      })
      .filter((line, i, all) => line !== "" || (i > 0 && all[i - 1] !== ""))
      .join("\n")
      .trim() + "\n"
  );
}
