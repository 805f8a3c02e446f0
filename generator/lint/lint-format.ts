/** Lint output formats: stylish (people), json, github (workflow annotations), sarif. */
import path from "node:path";
import { valueEnd } from "./json-span.js";
import { formatSarif } from "./sarif.js";
import type { Finding } from "./lint.js";
import { terminalText } from "../shared/escape.js";
import { NOTE_CODES, type Note, type NoteCode } from "../shared/notes.js";

export const FORMATS = ["stylish", "json", "github", "sarif"] as const;
export type LintFormat = (typeof FORMATS)[number];

const count = (findings: Finding[], s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

/** For people: terminal-safe text (file names and messages come from schema files) with optional colours. */
export function formatStylish(findings: Finding[], color: boolean, filesChecked: number): string {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${terminalText(s)}\x1b[0m` : terminalText(s));
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(c(4, file));
    for (const f of list)
      lines.push(
        `  ${c(2, `${f.line}:${f.column}`.padEnd(8))} ${f.severity === "error" ? c(31, "error  ") : c(33, "warning")}  ${terminalText(f.message)}  ${c(2, f.ruleId)}`,
      );
    lines.push("");
  }
  const errors = count(findings, "error");
  const warnings = count(findings, "warning");
  lines.push(
    findings.length
      ? c(
          errors ? 31 : 33,
          `✖ ${plural(findings.length, "problem")} (${plural(errors, "error")}, ${plural(warnings, "warning")}) in ${plural(filesChecked, "file")}`,
        )
      : c(32, `✔ ${plural(filesChecked, "file")} checked, no problems`),
  );
  return lines.join("\n") + "\n";
}

/** GitHub Actions workflow commands: each problem shows inline on the pull request. */
export function formatGithub(findings: Finding[]): string {
  const prop = (s: string) =>
    s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return findings
    .map(
      (f) =>
        `::${f.severity} file=${prop(f.file)},line=${f.line},col=${f.column},title=${prop(f.ruleId)}::${data(f.message)}\n`,
    )
    .join("");
}

/** A file that was linted, with its text (for end positions). */
export interface LintedFile {
  file: string;
  text: string;
}

/**
 * ESLint's `json` formatter shape (an array of LintResult, one per file, clean files included), so
 * tools that read ESLint output read this. A file that is not valid JSON counts as a fatal error, as a
 * parse error does in ESLint.
 */
export function formatEslintJson(findings: Finding[], files: LintedFile[]): string {
  const byFile = new Map<string, Finding[]>(files.map((f) => [f.file, []]));
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const texts = new Map(files.map((f) => [f.file, f.text]));
  const results = [...byFile].map(([file, list]) => {
    const text = texts.get(file) ?? "";
    const messages = list.map((f) => {
      const end = valueEnd(text, f);
      const fatal = f.ruleId === "invalid-json";
      return {
        ruleId: f.ruleId,
        severity: f.severity === "error" ? 2 : 1,
        message: f.message,
        line: f.line,
        column: f.column,
        endLine: end.line,
        endColumn: end.column,
        nodeType: null,
        ...(fatal ? { fatal: true } : {}),
      };
    });
    const errorCount = messages.filter((m) => m.severity === 2).length;
    return {
      filePath: path.resolve(file),
      messages,
      suppressedMessages: [],
      errorCount,
      fatalErrorCount: messages.filter((m) => m.fatal).length,
      warningCount: messages.length - errorCount,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      ...(messages.length ? { source: text } : {}),
      usedDeprecatedRules: [],
    };
  });
  return JSON.stringify(results) + "\n";
}

export function formatFindings(
  findings: Finding[],
  format: LintFormat,
  options: { color: boolean; files: LintedFile[]; toolVersion: string },
): string {
  switch (format) {
    case "json":
      return formatEslintJson(findings, options.files);
    case "github":
      return formatGithub(findings);
    case "sarif":
      return formatSarif(findings, options.toolVersion, new Map(options.files.map((f) => [f.file, f.text])));
    default:
      return formatStylish(findings, options.color, options.files.length);
  }
}

/**
 * What `generate` changed or could not check: one line per kind with its count (warnings first),
 * or, `verbose`, each note under its kind with file and JSON pointer.
 */
export function formatNormalizations(notes: { file: string; note: Note }[], verbose: boolean): string {
  const byCode = new Map<NoteCode, { file: string; note: Note }[]>();
  for (const n of notes) {
    const list = byCode.get(n.note.code);
    if (list) list.push(n);
    else byCode.set(n.note.code, [n]);
  }
  const rank = (s: string) => (s === "error" ? 0 : s === "warning" ? 1 : 2);
  const kinds = [...byCode].sort(
    ([a, x], [b, y]) => rank(x[0].note.severity) - rank(y[0].note.severity) || (a < b ? -1 : 1),
  );
  const lines: string[] = [];
  for (const [code, list] of kinds) {
    lines.push(`${list[0].note.severity}: ${NOTE_CODES[code].summary}: ${list.length} [${code}]`);
    if (verbose) for (const { file, note } of list) lines.push(`  ${file}#${note.pointer}: ${note.message}`);
  }
  if (lines.length && !verbose) lines.push("(--verbose lists each with its file and JSON pointer)");
  return lines.length ? lines.join("\n") + "\n" : "";
}
