/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: each rule with the short and full
 * descriptions, help and help link they show; each result with its region (start and end).
 */
import path from "node:path";
import { NOTE_CODES, type NoteCode, type SeveritySetting } from "../shared/notes.js";
import { DOCS_URL } from "../shared/paths.js";
import { valueEnd } from "./json-span.js";
import type { Finding } from "./lint.js";

/** Where the rules are documented: the README's table of lint rules. */
export const RULES_HELP_URI = `${DOCS_URL}#lint-rules`;

const sarifLevel = (severity: SeveritySetting) =>
  severity === "info" ? "note" : severity === "off" ? "none" : severity;

const CONFIGURE = (id: string) =>
  `Change its severity in runcomfy-codegen.config.json: { "rules": { "${id}": "off" | "info" | "warning" | "error" } } (errors cannot be lowered).`;

/** What the default severity means for the user, in the words of the rule's full description. */
function consequence(id: NoteCode): string {
  const entry: { severity: string; strictError?: boolean } = NOTE_CODES[id];
  if (entry.severity === "error")
    return "An error: `generate` refuses the file (the package would reject valid inputs or accept invalid ones) and `lint` exits 1.";
  const strict = entry.strictError ? ' With --strict (or "strict": true in the config file) it is an error.' : "";
  if (entry.severity === "warning")
    return `A warning: \`generate\` goes on as the message says and prints it; \`lint\` reports it.${strict}`;
  return "Information: a harmless change, listed so nothing changes silently; reported only when the config file raises it.";
}

export function sarifRule(id: NoteCode) {
  const { summary, severity } = NOTE_CODES[id];
  const full = `${summary}. ${consequence(id)}`;
  return {
    id,
    shortDescription: { text: summary },
    fullDescription: { text: full },
    help: {
      text: `${full} The message gives the value found and how to fix it, at the file position reported. ${severity === "error" ? "" : CONFIGURE(id)}`.trim(),
      markdown: `**${id}**: ${summary}.\n\n${consequence(id)}\n\nThe message gives the value found and how to fix it, at the position reported.${severity === "error" ? "" : `\n\n${CONFIGURE(id)}`}\n\n[All lint rules](${RULES_HELP_URI})`,
    },
    helpUri: RULES_HELP_URI,
    defaultConfiguration: { level: sarifLevel(severity) },
  };
}

export function formatSarif(
  findings: Finding[],
  toolVersion: string,
  texts: ReadonlyMap<string, string> = new Map(),
): string {
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
  const index = new Map(rules.map((id, i) => [id, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "runcomfy-codegen lint",
            version: toolVersion,
            informationUri: DOCS_URL,
            rules: rules.map(sarifRule),
          },
        },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => {
          const text = texts.get(f.file);
          const end = text === undefined ? undefined : valueEnd(text, f);
          return {
            ruleId: f.ruleId,
            ruleIndex: index.get(f.ruleId),
            level: sarifLevel(f.severity),
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file.split(path.sep).join("/") },
                  region: {
                    startLine: f.line,
                    startColumn: f.column,
                    ...(end ? { endLine: end.line, endColumn: end.column } : {}),
                  },
                },
              },
            ],
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
