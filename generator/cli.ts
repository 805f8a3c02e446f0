#!/usr/bin/env node
/**
 * The `runcomfy-codegen` command line. Exit codes: 0 success, 1 the job failed (bad schemas, stale
 * output, invalid input), 2 bad usage or an internal error.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { SchemaErrors } from "./errors.js";
import { generate } from "./generate.js";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure to report as a message, not a stack trace. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function runCli(argv: string[], io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Promise<number> {
  let exitCode: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName("runcomfy-codegen")
    .usage("$0 <command> [options]")
    .command(
      "generate",
      "Generate the typed package from the schema files",
      (y) =>
        y
          .option("schemas", { type: "string", default: "schemas", describe: "Folder of schema files (<model_id>.json)" })
          .option("out", { type: "string", default: "generated", describe: "Folder of the generated package" })
          .option("check", { type: "boolean", default: false, describe: "Write nothing; exit 1 and list stale files if the output does not match the schemas" })
          .option("dry-run", { type: "boolean", default: false, describe: "Write nothing; say what would change" })
          .option("strict", { type: "boolean", default: false, describe: "Fail on rules that cannot be checked (unparseable rule, unknown metric)" })
          .option("package-name", { type: "string", default: "runcomfy-models", describe: "Name of the generated package" })
          .option("quiet", { type: "boolean", default: false, describe: "Print only errors and the summary" }),
      async (args) => {
        const result = await generate({
          schemasDir: args.schemas,
          outDir: args.out,
          check: args.check,
          dryRun: args["dry-run"],
          strict: args.strict,
          packageName: args["package-name"],
        });
        if (!args.quiet) {
          for (const { file, note } of result.notes) {
            if (note.severity !== "info") io.stderr(`${note.severity}: ${file}#${note.pointer}: ${note.message} [${note.code}]\n`);
          }
        }
        const d = result.diff;
        const summary = `${plural(result.models.length, "model")}, ${d.added.length + d.changed.length} files ${args.check || args["dry-run"] ? "would be written" : "written"}, ${d.unchanged.length} unchanged, ${d.removed.length} removed, ${(result.ms / 1000).toFixed(2)} s`;
        if (args.check) {
          if (result.stale.length) {
            io.stderr(`${args.out} does not match ${args.schemas}; run \`npm run generate\`. Stale files:\n${result.stale.map((f) => `  ${f}`).join("\n")}\n`);
            exitCode = EXIT.failed;
          } else io.stdout(`${args.out} is up to date (${plural(result.models.length, "model")})\n`);
          return;
        }
        if (args["dry-run"]) for (const f of result.stale) io.stdout(`would write ${f}\n`);
        io.stdout(`${summary}\n`);
      },
    )
    .demandCommand(1, "Name a command: generate")
    .strict()
    .help()
    .alias("h", "help")
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new CliFailure(`${msg}\nRun with --help for usage.`, EXIT.usage);
    });
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (e) {
    if (e instanceof CliFailure) {
      io.stderr(`${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof SchemaErrors) {
      io.stderr(`${e.errors.map((x) => `error: ${x.message} [${x.ruleId}]`).join("\n")}\n${plural(e.errors.length, "error")}; nothing was written.\n`);
      return EXIT.failed;
    }
    io.stderr(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.usage;
  }
}

const isMain = (() => {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (isMain) {
  runCli(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
