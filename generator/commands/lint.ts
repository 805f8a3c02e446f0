/** `runcomfy-codegen lint [paths..]`: the CI gate for schema files. */
import { readFile, stat } from "node:fs/promises";
import { FORMATS, type LintedFile, type LintFormat } from "../lint/lint-format.js";
import { GENERATOR_VERSION } from "../shared/paths.js";
import { CliFailure, colorWanted, EXIT, withHelp, type RegisterCommand } from "./context.js";

export const registerLint: RegisterCommand = (y, { io, config, setExit }) =>
  y.command(
    "lint [paths..]",
    "Check schema files: every problem with file, line, column and rule id",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 lint", "every schema file under schemas/"],
          ["$0 lint schemas --format github", "annotations on a GitHub pull request"],
          ["$0 lint --format sarif > lint.sarif", "for GitHub code scanning"],
          ["$0 lint --format json", "ESLint's JSON formatter shape, for tools that read ESLint output"],
          ["$0 lint --max-warnings 0", "fail on warnings too"],
        ],
        env: ["NO_COLOR", "FORCE_COLOR"],
      })
        .positional("paths", {
          type: "string",
          array: true,
          default: [config.schemas],
          describe: "Files or folders (default: the config's schemas folder, or schemas/)",
        })
        .option("format", { choices: FORMATS, default: "stylish" as LintFormat, describe: "Output format" })
        .option("max-warnings", { type: "number", describe: "Fail when there are more warnings than this" })
        .option("strict", {
          type: "boolean",
          default: !!config.severity.strict,
          describe:
            "Rules that cannot be checked (unparseable rule, unknown metric) are errors, as with generate --strict",
        })
        .option("root", {
          type: "string",
          describe: "Schemas root for the id-vs-path check (default: the folder given, or schemas/)",
        }),
    async (args) => {
      // Loaded when lint runs (the linter compiles schemas with ajv), not at every command's start-up.
      const [{ findSchemaFiles }, { lintPaths }, { formatFindings }] = await Promise.all([
        import("../load/load.js"),
        import("../lint/lint.js"),
        import("../lint/lint-format.js"),
      ]);
      const paths = args.paths as string[];
      let findings;
      try {
        findings = await lintPaths(paths, { root: args.root, strict: args.strict, rules: config.severity.rules });
      } catch (e) {
        throw new CliFailure((e as Error).message, EXIT.usage);
      }
      const files: LintedFile[] = [];
      for (const p of paths) {
        for (const file of (await stat(p)).isDirectory() ? await findSchemaFiles(p) : [p]) {
          files.push({
            file,
            text: args.format === "json" || args.format === "sarif" ? await readFile(file, "utf8") : "",
          });
        }
      }
      const color = args.format === "stylish" && colorWanted(io);
      // Colours are the CLI's own sequences: stylish output escapes the schema files' text itself.
      (color ? (io.control?.stdout ?? io.stdout) : io.stdout)(
        formatFindings(findings, args.format as LintFormat, { color, files, toolVersion: GENERATOR_VERSION }),
      );
      const errors = findings.filter((f) => f.severity === "error").length;
      const warnings = findings.length - errors;
      if (errors || (args["max-warnings"] !== undefined && warnings > args["max-warnings"])) setExit(EXIT.failed);
    },
  );
