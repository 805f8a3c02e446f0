/**
 * Emits a model's `Input` and `Output` TypeScript types with json-schema-to-typescript, then checks
 * the result structurally: exactly the two declarations, no index signatures.
 */
import { compile } from "json-schema-to-typescript";
import { ts } from "ts-morph";
import type { ModelIR } from "../model.js";
import type { SchemaNode } from "../normalize.js";
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

export async function emitTypes(model: ModelIR): Promise<string> {
  const input = await compile(typesView(model.input.schema) as never, "Input", JSON2TS_OPTIONS);
  const output = await compile(typesView(model.output.schema) as never, "Output", JSON2TS_OPTIONS);
  const source = `${input}\n${output}`;
  const file = ts.createSourceFile("types.d.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const problems = checkTypesShape(file, hasOpenObject(model.input.schema) || hasOpenObject(model.output.schema));
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
export function checkTypesShape(file: ts.SourceFile, allowIndexSignatures = false): string[] {
  const problems: string[] = [];
  const parseErrors = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of parseErrors) problems.push(`syntax: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  const names = file.statements.map((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) ? s.name.text : `<${ts.SyntaxKind[s.kind]}>`));
  if (names.join(",") !== "Input,Output") problems.push(`declares ${names.join(", ")} instead of Input, Output`);
  const visit = (n: ts.Node) => {
    if (ts.isIndexSignatureDeclaration(n) && !allowIndexSignatures) problems.push("has an index signature");
    n.forEachChild(visit);
  };
  visit(file);
  return problems;
}
