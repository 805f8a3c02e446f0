/** `runcomfy-codegen generate`: schema files in, the generated package out. */
import { setFlagsFromString } from "node:v8";
import type { GenerateOptions } from "../generate.js";
import { generateCommand } from "../shared/paths.js";
import { CliFailure, EXIT, plural, withHelp, type CliIo, type RegisterCommand } from "./context.js";

/**
 * How far V8 lets the heap grow past what the last full collection found live. By default it grows
 * up to four times that when collecting is cheap, and a cold run of a large catalog allocates much
 * and keeps little (each model's summary and file hashes): its peak memory would follow the number
 * of models emitted rather than what is kept. A fixed factor keeps the peak near the live set, for a
 * few more full collections. Process-wide (the validator worker too), so the command sets it, never
 * the library (a test runner or an app calling generate() keeps its own heap settings).
 */
const HEAP_GROWING_PERCENT = 30;

export const registerGenerate: RegisterCommand = (y, { io, config, setExit }) =>
  y.command(
    "generate",
    "Generate the typed package from the schema files",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 generate", "schemas/ -> generated/, one summary line"],
          ["$0 generate --check", "in CI: exit 1 listing stale files when generated/ does not match schemas/"],
          ["$0 generate --dry-run", "say which files would change, write nothing"],
          ["$0 generate --watch", "regenerate on every change in schemas/ (Ctrl-C stops)"],
        ],
        env: ["RUNCOMFY_CODEGEN_CACHE_DIR"],
      })
        .option("schemas", {
          type: "string",
          default: config.schemas,
          describe: "Folder of schema files (<model_id>.json)",
        })
        .option("out", { type: "string", default: config.output, describe: "Folder of the generated package" })
        .option("check", {
          type: "boolean",
          default: false,
          describe: "Write nothing; exit 1 and list stale files if the output does not match the schemas",
        })
        .option("dry-run", { type: "boolean", default: false, describe: "Write nothing; say what would change" })
        .option("strict", {
          type: "boolean",
          default: !!config.severity.strict,
          describe: "Fail on rules that cannot be checked (unparseable rule, unknown metric)",
        })
        .option("package-name", {
          type: "string",
          default: config.packageName,
          describe: "Name of the generated package (config: package.name)",
        })
        .option("package-version", {
          type: "string",
          default: config.packageVersion,
          describe: "Version of the generated package (config: package.version)",
        })
        .option("watch", {
          type: "boolean",
          default: false,
          describe:
            "Regenerate on every change in the schemas folder until Ctrl-C; a bad file prints its problems and the last good output stays",
        })
        .option("quiet", { type: "boolean", default: false, describe: "Print only errors and the summary" })
        .option("verbose", {
          type: "boolean",
          default: false,
          describe:
            "List every normalization and warning with its file and JSON pointer (default: one line per kind, with counts)",
        })
        .option("cache", {
          type: "boolean",
          default: true,
          describe:
            "Reuse emitted files of unchanged models from your project's node_modules/.cache (--no-cache: emit everything)",
        }),
    async (args) => {
      setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
      const { cacheDirFor } = await import("../incremental/cache.js");
      const options: GenerateOptions = {
        schemasDir: args.schemas,
        outDir: args.out,
        check: args.check,
        dryRun: args["dry-run"],
        strict: args.strict,
        packageName: args["package-name"],
        packageVersion: args["package-version"],
        rules: config.severity.rules,
        cache: args.cache ? cacheDirFor(io.cwd, io.env) : false,
      };
      const once = () => generateOnce(options, { quiet: args.quiet, verbose: args.verbose, io, setExit });
      if (!args.watch) return once();
      if (args.check || args["dry-run"])
        throw new CliFailure("--watch writes the package; it cannot be combined with --check or --dry-run", EXIT.usage);
      const { watchAndRegenerate } = await import("./watch.js");
      if ((await watchAndRegenerate(args.schemas, once, io)) === "SIGINT") setExit(EXIT.interrupted);
    },
  );

/** One run: what was normalized on stderr (per kind, or each with --verbose), then the summary line (or the stale files with --check). */
async function generateOnce(
  options: GenerateOptions,
  out: { quiet: boolean; verbose: boolean; io: CliIo; setExit: (code: number) => void },
): Promise<void> {
  const { io, setExit } = out;
  // Loaded here, not at start-up: other commands do not pay for the pipeline.
  const [{ generate }, { formatNormalizations }] = await Promise.all([
    import("../generate.js"),
    import("../lint/lint-format.js"),
  ]);
  const result = await generate(options);
  if (!out.quiet) io.stderr(formatNormalizations(result.notes, out.verbose));
  const d = result.diff;
  if (options.check) {
    if (result.stale.length) {
      io.stderr(
        `${options.outDir} does not match ${options.schemasDir}; run \`${generateCommand(io.cwd)}\`. Stale files:\n${result.stale.map((f) => `  ${f}`).join("\n")}\n`,
      );
      setExit(EXIT.failed);
    } else io.stdout(`${options.outDir} is up to date (${plural(result.models.length, "model")})\n`);
    return;
  }
  if (options.dryRun) for (const f of result.stale) io.stdout(`would write ${f}\n`);
  const verb = options.dryRun ? "would be written" : "written";
  io.stdout(
    `${plural(result.models.length, "model")} (${result.emitted} emitted, ${result.models.length - result.emitted} cached), ${d.added.length + d.changed.length} files ${verb}, ${d.unchanged.length} unchanged, ${d.removed.length} removed, ${(result.ms / 1000).toFixed(2)} s\n`,
  );
}
