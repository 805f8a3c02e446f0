/**
 * One schema file through load → normalize → lint notes → model, collecting every note (errors
 * included) instead of stopping at the first. `generate` and `lint` both call this, so they report
 * the same problems with the same words, codes and pointers; generate fails when any is an error.
 */
import { SchemaErrors, SchemaFileError } from "../shared/errors.js";
import { NOTE_CODES, severityOf, type Note, type SeverityPolicy } from "../shared/notes.js";
import { checkSchemaFile, loadErrorOf, type SchemaText } from "../load/load.js";
import type { Position } from "../load/load-json.js";
import { buildModel, type ModelIR } from "../model/model.js";
import {
  normalizeInputSchema,
  normalizeOutputSchema,
  type NormalizedSchema,
  type SchemaNode,
} from "../normalize/normalize.js";
import { checkSchemas, outputPointer, unwrappedOutput } from "./checks.js";

export interface AnalyzeOptions {
  schemasDirName?: string;
  /** Rules that cannot be checked are errors (`strict`); the config file's severities (`rules`). */
  strict?: boolean | SeverityPolicy;
  /** Record where each value starts (lint); generate asks only when there are errors to place. */
  withPositions?: boolean;
}

export interface Analysis {
  file: string;
  /** Every note, at the run's severity (strict and the config file applied; notes turned off are left out). */
  notes: Note[];
  /** The model, when no note is an error. */
  model?: ModelIR;
  /** The model id, when the envelope had one. */
  modelId?: string;
  positions: Map<string, Position>;
}

interface Normalized<T> {
  result?: T;
  partial?: SchemaNode;
  notes: Note[];
}

function tryNormalize<T extends NormalizedSchema>(run: () => T): Normalized<T> {
  try {
    const result = run();
    return { result, notes: result.notes };
  } catch (e) {
    if (!(e instanceof SchemaErrors)) throw e;
    return { partial: e.partial as SchemaNode | undefined, notes: [...e.notes, ...e.errors.map(noteOf)] };
  }
}

const noteOf = (e: SchemaFileError): Note => ({
  code: e.ruleId,
  severity: NOTE_CODES[e.ruleId].severity,
  pointer: e.pointer,
  message: e.detail,
});

export function analyzeSchemaText(source: SchemaText, options: AnalyzeOptions = {}): Analysis {
  const { file } = source;
  const strictly = (notes: Note[]) =>
    notes.flatMap((n) => {
      const severity = severityOf(n.code, options.strict ?? false);
      return severity === "off" ? [] : [{ ...n, severity } as Note];
    });
  if (source.error)
    return {
      file,
      notes: [noteOf(loadErrorOf(file, source.error))],
      positions: new Map([["", source.error.position]]),
    };
  const checked = checkSchemaFile(file, source.relPath, source.text, options.withPositions);
  const notes = checked.errors.map(noteOf);
  const loaded = checked.file;
  if (!loaded) return { file, notes, positions: checked.positions };
  const input = tryNormalize(() => normalizeInputSchema(loaded.inputSchema, file));
  const output = tryNormalize(() => normalizeOutputSchema(loaded.outputSchema, file));
  const inputSchema = input.result?.schema ?? input.partial;
  const outputSchema = output.result?.schema ?? output.partial;
  const checks = checkSchemas({
    input: inputSchema && { schema: inputSchema, pointer: "/input_schema", raw: loaded.inputSchema },
    output:
      outputSchema && loaded.outputSchema !== null
        ? {
            schema: outputSchema,
            pointer: outputPointer(loaded.outputSchema),
            raw: unwrappedOutput(loaded.outputSchema),
          }
        : undefined,
    example: loaded.example,
    pricing: loaded.pricing,
  });
  const all = strictly([...notes, ...input.notes, ...output.notes, ...checks]);
  const result: Analysis = { file, notes: all, modelId: loaded.modelId, positions: checked.positions };
  if (all.some((n) => n.severity === "error") || !input.result || !output.result) return result;
  const model = buildModel(loaded, options.schemasDirName, input.result, output.result);
  model.notes.push(...checks);
  return { ...result, model };
}

/**
 * generate's analysis of one file: its model when it has no error, else its errors, placed by line
 * and column too (the same places lint gives) at the cost of a second parse, made only then.
 */
export function analyzeForGenerate(
  source: SchemaText,
  options: Omit<AnalyzeOptions, "withPositions">,
): { model?: ModelIR; errors: SchemaFileError[] } {
  let analysis = analyzeSchemaText(source, options);
  if (!analysis.model) analysis = analyzeSchemaText(source, { ...options, withPositions: true });
  return { model: analysis.model, errors: errorsOf(analysis) };
}

/** The errors of an analysis, as the pipeline throws them (placed by line and column when positions were recorded). */
export function errorsOf(analysis: Analysis): SchemaFileError[] {
  const placed = analysis.positions.size > 0;
  return analysis.notes
    .filter((n) => n.severity === "error")
    .map(
      (n) =>
        new SchemaFileError(
          analysis.file,
          n.pointer,
          n.message,
          n.code,
          placed ? positionOf(analysis.positions, n.pointer) : undefined,
        ),
    );
}

/** The position of a pointer, or of its nearest ancestor that has one. */
export function positionOf(positions: Map<string, Position>, pointer: string): Position {
  let p = pointer;
  while (true) {
    const found = positions.get(p);
    if (found) return found;
    if (!p) return { line: 1, column: 1, offset: 0 };
    p = p.slice(0, p.lastIndexOf("/"));
  }
}
