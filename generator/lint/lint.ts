/**
 * Schema linting for CI: every problem in every file, each with file, line and column (from the JSON
 * text), a stable rule id, a severity and a message that says how to fix it. Uses the same loader and
 * normalizer as the generator, so anything `generate` would reject is reported with the same words.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { findSchemaFiles, readSchemaText } from "../load/load.js";
import { positionOf, type JsonLoadError } from "../load/load-json.js";
import type { NoteCode, NoteSeverity, SeverityPolicy, SeveritySetting } from "../shared/notes.js";

export interface Finding {
  file: string;
  line: number;
  column: number;
  ruleId: NoteCode;
  severity: Exclude<NoteSeverity, "info">;
  message: string;
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
      const rel = path.relative(root, file).split(path.sep).join("/");
      findings.push(
        ...(await lintSource(
          { file, relPath: rel.startsWith("..") ? undefined : rel, text: "", ...readSchemaText(file) },
          seenIds,
          { strict: !!options.strict, rules: options.rules },
        )),
      );
    }
  }
  return findings.sort((a, b) =>
    a.file < b.file
      ? -1
      : a.file > b.file
        ? 1
        : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : 1),
  );
}

/** Outside the schemas root, a file is where it belongs if its path ends with `<model_id>.json`. */
function relPathFromId(file: string, text: string): string {
  let id: unknown;
  try {
    id = (JSON.parse(text) as { model_id?: unknown })?.model_id;
  } catch {
    // Not JSON: the analysis says so.
  }
  return typeof id === "string" && file.split(path.sep).join("/").endsWith(`/${id}.json`)
    ? `${id}.json`
    : `?${path.basename(file)}`;
}

async function lintSource(
  source: { file: string; relPath: string | undefined; text: string; error?: JsonLoadError },
  seenIds: Map<string, string>,
  strict: boolean | SeverityPolicy,
): Promise<Finding[]> {
  const { file, relPath, text } = source;
  const expectedRel = relPath ?? relPathFromId(file, text);
  // The generator's own pipeline, without its emit stage: the same problems in the same words.
  const { compileModel } = await import("../compile.js");
  const analysis = await compileModel(
    { file, relPath: expectedRel, text, error: source.error },
    { policy: strict, emit: false, positions: true },
  );
  const out: Finding[] = [];
  const add = (pointer: string, ruleId: NoteCode, severity: SeveritySetting, message: string) => {
    if (severity !== "error" && severity !== "warning") return;
    const pos = positionOf(analysis.positions, pointer);
    out.push({ file, line: pos.line, column: pos.column, ruleId, severity, message });
  };
  for (const n of analysis.notes) add(n.pointer, n.code, n.severity, n.message);
  if (analysis.modelId !== undefined) {
    const prev = seenIds.get(analysis.modelId.toLowerCase());
    if (prev && prev !== file)
      add(
        "/model_id",
        "duplicate-model-id",
        "error",
        `model_id ${JSON.stringify(analysis.modelId)} is also defined in ${prev}`,
      );
    else seenIds.set(analysis.modelId.toLowerCase(), file);
  }
  return out;
}
