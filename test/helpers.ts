import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileModel } from "../generator/compile.js";
import {
  type CompiledValidatorCode,
  compactValidator,
  compileValidatorCode,
  formatValidator,
} from "../generator/emit/validator.js";
import { checkSchemaFile, duplicateIds, readSchemaTexts, type SchemaFile } from "../generator/load/load.js";
import { walkFiles } from "../generator/shared/walk-files.js";
import { buildModel, type ModelIR } from "../generator/model/model.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../generator/normalize/normalize.js";
import type { SchemaNode } from "../generator/ir/schema-node.js";
import type { CompiledValidator } from "../generator/runtime/validation/validate.js";
import { SchemaErrors, SchemaFileError } from "../generator/shared/errors.js";
import { severityOf, type Note, type SeverityPolicy } from "../generator/shared/notes.js";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const SCHEMAS = path.join(ROOT, "schemas");
export const QUIRKS = path.join(ROOT, "test", "fixtures", "quirks");

/** A temp folder removed after the test file (vitest's afterAll calls the returned cleanup). */
export function tempDir(prefix = "rcg-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A schemas folder with the seed models plus the quirky fixture, as a user would drop it in. */
export function schemasWithQuirks(dir: string): string {
  const schemas = path.join(dir, "schemas");
  cpSync(SCHEMAS, schemas, { recursive: true });
  cpSync(QUIRKS, schemas, { recursive: true });
  return schemas;
}

/** Runs the CLI in-process and captures what it prints. */
export async function captureCli(
  argv: string[],
  options: { env?: Record<string, string | undefined>; isTTY?: boolean; stdin?: string; cwd?: string } = {},
) {
  const { runCli } = await import("../generator/cli.js");
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: async () => options.stdin ?? "",
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout, stderr };
}

/** ajv's code for the schema, its helpers imported from the runtime, compacted and formatted: what a model module holds. */
export function compileValidator(schema: SchemaNode, runtimeImportPrefix: string): Promise<CompiledValidatorCode> {
  return formatValidator(compactValidator(compileValidatorCode(schema)), runtimeImportPrefix);
}

/** Parses one schema file's text; throws the first SchemaFileError for anything the generator cannot use. */
export function parseSchemaFile(file: string, relPath: string, text: string, withPositions = false): SchemaFile {
  const checked = checkSchemaFile(file, relPath, text, withPositions);
  if (checked.errors.length || !checked.file) throw checked.errors[0];
  return checked.file;
}

/** Every file's content under `dir`, by "/"-separated relative path (a consumer's node_modules aside). */
export async function readTree(dir: string): Promise<Map<string, string>> {
  if (!existsSync(dir)) return new Map();
  return new Map(
    walkFiles(dir, (e, rel) => !(rel === e.name && e.name === "node_modules") && (e.isDirectory() || e.isFile())).map(
      (p) => [p, readFileSync(path.join(dir, ...p.split("/")), "utf8")],
    ),
  );
}

/** A generated validator: ajv's standalone signature. */
export type ImportedValidator = CompiledValidator;

/**
 * Compiles a normalized schema as the generator does and imports the module, its runtime imports
 * pointed at the runtime's TypeScript sources (through a `core.js` shim written into `dir`).
 */
export async function importCompiledValidator(
  schema: SchemaNode,
  dir: string,
  name: string,
): Promise<ImportedValidator> {
  const shim = path.join(dir, "core.js");
  const source = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, "generator/runtime", file)).href);
  writeFileSync(
    shim,
    `export * from ${source("validation/ajv-runtime.ts")};\nexport { formats } from ${source("validation/formats.ts")};\n`,
  );
  const v = await compileValidator(schema, "./");
  const file = path.join(dir, `${name}.js`);
  writeFileSync(file, `${v.imports}\n${v.code}\nexport default ${v.functionName};\n`);
  return (await import(pathToFileURL(file).href)).default;
}

/**
 * The intermediate model of a schema file `t/m.json` with these schemas, normalized first as the
 * pipeline does (normalizer errors are thrown as SchemaErrors).
 */
export function modelOf(schemas: { input: unknown; output?: unknown; file?: string; text?: string }): ModelIR {
  const file = schemas.file ?? "schemas/t/m.json";
  return buildModel(
    {
      file,
      relPath: "t/m.json",
      text: schemas.text ?? JSON.stringify(schemas.input),
      modelId: "t/m",
      inputSchema: schemas.input,
      outputSchema: schemas.output ?? null,
      example: null,
      source: null,
      positions: new Map(),
    },
    "schemas",
    normalizeInputSchema(schemas.input, file),
    normalizeOutputSchema(schemas.output ?? null, file),
  );
}

/**
 * Every schema file of a folder through the pipeline without its emit stage (no cache, nothing
 * written): the models, or one SchemaErrors with every problem (duplicate ids and errors under
 * `policy` included), as generate reports them.
 */
export async function buildModels(
  schemasDir: string,
  policy: boolean | SeverityPolicy = false,
): Promise<{ models: ModelIR[]; notes: { file: string; note: Note }[] }> {
  const schemasDirName = path.basename(path.resolve(schemasDir));
  const errors: SchemaFileError[] = [];
  const built: ModelIR[] = [];
  for (const text of await readSchemaTexts(schemasDir)) {
    const compiled = await compileModel(text, { schemasDirName, policy, emit: false });
    errors.push(...compiled.errors);
    if (compiled.model) built.push(compiled.model);
  }
  const { keep: models, errors: duplicates } = duplicateIds(built, (m) => m.sourcePath);
  errors.push(...duplicates);
  const notes: { file: string; note: Note }[] = [];
  for (const m of models)
    for (const note of m.notes) {
      const severity = severityOf(note.code, policy);
      if (severity === "error") errors.push(new SchemaFileError(m.sourcePath, note.pointer, note.message, note.code));
      else if (severity !== "off") notes.push({ file: m.sourcePath, note: { ...note, severity } });
    }
  if (errors.length)
    throw new SchemaErrors(
      errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.pointer < b.pointer ? -1 : 1)),
    );
  return { models: models.sort((a, b) => (a.modelId < b.modelId ? -1 : 1)), notes };
}
