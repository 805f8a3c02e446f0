/**
 * Emits a model's `Input` and `Output` TypeScript types with json-schema-to-typescript, then checks
 * the result structurally: exactly the two declarations, no index signatures.
 */
import type { ts as TS } from "ts-morph";
import type { ModelIR } from "../model.js";
import type { SchemaNode } from "../normalize.js";
import { propertyName } from "../escape.js";
import { typesView } from "./schema-views.js";

const JSON2TS_OPTIONS = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  ignoreMinAndMaxItems: true, // limits are in the docs; tuple types from maxItems explode
  maxItems: -1,
  unknownAny: true,
  strictIndexSignatures: true,
  declareExternallyReferenced: true,
  enableConstEnums: false,
  inferStringEnumKeysFromValues: false,
  unreachableDefinitions: false,
} as const;

// Heavy libraries load only when a model needs emitting (a cached regeneration never loads them).
let libraries: Promise<{ compile: typeof import("json-schema-to-typescript").compile; ts: typeof TS }> | undefined;
const load = () => (libraries ??= Promise.all([import("json-schema-to-typescript"), import("ts-morph")]).then(([j, m]) => ({ compile: j.compile, ts: m.ts })));

/** Many models share one output schema (RunComfy's generic one): compile each distinct one once. */
const outputTypes = new Map<string, Promise<string>>();

/** Puts the real property names back where json-schema-to-typescript wrote placeholders (each at a line start). */
function restoreKeys(code: string, keys: string[]): string {
  return code.replace(/^__rcKey(\d+)(\??):/gm, (_, i: string, optional: string) => `${propertyName(keys[Number(i)])}${optional}:`);
}

async function compileView(compile: typeof import("json-schema-to-typescript").compile, schema: SchemaNode, name: string): Promise<string> {
  const keys: string[] = [];
  const code = await compile(typesView(schema, keys) as never, name, JSON2TS_OPTIONS);
  return restoreKeys(code, keys);
}

export async function emitTypes(model: ModelIR): Promise<string> {
  const { compile, ts } = await load();
  const input = await compileView(compile, model.input.schema, "Input");
  const outputKey = JSON.stringify(model.output.schema);
  let output = outputTypes.get(outputKey);
  if (!output) {
    output = compileView(compile, model.output.schema, "Output");
    outputTypes.set(outputKey, output);
  }
  const source = `${input}\n${await output}`;
  if (/__rcKey\d/.test(source.replace(/\/\*\*[\s\S]*?\*\//g, ""))) throw new Error(`a property name placeholder was left in the types of ${model.modelId}`);
  const file = ts.createSourceFile("types.d.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const problems = checkTypesShape(ts, file, hasOpenObject(model.input.schema) || hasOpenObject(model.output.schema));
  if (problems.length) throw new Error(`generated types for ${model.modelId} are not what was intended: ${problems.join("; ")}`);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  return printer.printFile(file);
}

/** Whether the schema itself asks for extra keys somewhere (`additionalProperties` true or a schema). */
function hasOpenObject(node: SchemaNode): boolean {
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) return true;
  const children = [node.items, ...Object.values(node.properties ?? {}), ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return children.some((c) => c !== undefined && hasOpenObject(c));
}

/** Exactly `Input` and `Output`, exported, with no index signatures unless the schema asked for them. */
export function checkTypesShape(ts: typeof TS, file: TS.SourceFile, allowIndexSignatures = false): string[] {
  const problems: string[] = [];
  const parseErrors = (file as unknown as { parseDiagnostics: TS.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of parseErrors) problems.push(`syntax: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  const names = file.statements.map((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) ? s.name.text : `<${ts.SyntaxKind[s.kind]}>`));
  if (names.join(",") !== "Input,Output") problems.push(`declares ${names.join(", ")} instead of Input, Output`);
  const visit = (n: TS.Node) => {
    if (ts.isIndexSignatureDeclaration(n) && !allowIndexSignatures) problems.push("has an index signature");
    n.forEachChild(visit);
  };
  visit(file);
  return problems;
}
