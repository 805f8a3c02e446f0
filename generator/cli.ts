#!/usr/bin/env node
/**
 * The `runcomfy-codegen` command line. Exit codes: one table for every command (EXIT_TABLE in
 * commands/context.ts). Bad input never prints a stack trace; `--json` turns failures into JSON.
 * Start-up loads yargs and each command's options only: a command's handler imports what it needs
 * (the pipeline, the client, the emulator…) when that command runs, so no command pays for another's.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import {
  CliFailure,
  EXIT,
  exitCodeLines,
  type CliIo,
  type CommandContext,
  type RegisterCommand,
} from "./commands/context.js";
import { CONFIG_FILE, loadConfig } from "./shared/config.js";
import { describeFailure, formatFailure, wantsJson } from "./commands/failure.js";
import { terminalText } from "./shared/escape.js";
import { GENERATOR_VERSION } from "./shared/paths.js";
import { registerGenerate } from "./commands/generate.js";
import { registerValidate } from "./commands/validate.js";
import { registerMockServer } from "./commands/mock-server.js";
import { registerRun } from "./commands/run.js";
import { registerBatch } from "./commands/batch.js";
import { registerCancel, registerResult, registerStatus } from "./commands/requests.js";
import { registerLint } from "./commands/lint.js";
import { registerImport, registerPull } from "./commands/import.js";
import { registerModels } from "./commands/models.js";
import { registerOpenApi } from "./commands/openapi.js";
import { registerMcp } from "./commands/mcp.js";

export { EXIT, CliFailure, type CliIo };

const COMMANDS: RegisterCommand[] = [
  registerGenerate,
  registerLint,
  registerValidate,
  registerRun,
  registerBatch,
  registerStatus,
  registerResult,
  registerCancel,
  registerImport,
  registerPull,
  registerModels,
  registerOpenApi,
  registerMcp,
  registerMockServer,
];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export const processIo = (): CliIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdin: readStdin,
  isTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
  env: process.env,
  cwd: process.cwd(),
});

/** `--config PATH` is read before the commands are built, since their defaults come from it. */
function configArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") return argv[i + 1] ?? "";
    if (argv[i].startsWith("--config=")) return argv[i].slice("--config=".length);
  }
  return undefined;
}

/**
 * Everything a command prints passes one filter: server answers, catalog entries and schema files
 * carry text that a terminal would act on (screen clears, clipboard writes, line rewrites).
 */
function terminalSafeIo(raw: CliIo): CliIo {
  return {
    ...raw,
    stdout: (t) => raw.stdout(terminalText(t)),
    stderr: (t) => raw.stderr(terminalText(t)),
    control: raw.control ?? { stdout: raw.stdout, stderr: raw.stderr },
  };
}

export async function runCli(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const io = terminalSafeIo({ ...processIo(), ...partialIo });
  let exitCode: number = EXIT.ok;
  try {
    const config = await loadConfig(io.cwd, configArgument(argv));
    const ctx = { io, config, setExit: (code: number) => void (exitCode = code) };
    await buildParser(argv, ctx).parseAsync(argv, {}, (_err, _argv, output) => {
      // With a callback, yargs hands --help and --version text over instead of printing it itself.
      if (output && !_err) io.stdout(`${output}\n`);
    });
    return exitCode;
  } catch (e) {
    const failure = describeFailure(e);
    if (wantsJson(argv)) io.stdout(`${JSON.stringify({ error: failure }, null, 2)}\n`);
    else io.stderr(formatFailure(failure, e));
    return failure.exitCode;
  }
}

function buildParser(argv: string[], ctx: CommandContext) {
  let parser = yargs(argv).scriptName("runcomfy-codegen").usage("$0 <command> [options]");
  for (const register of COMMANDS) parser = register(parser, ctx);
  return parser
    .option("config", {
      type: "string",
      global: true,
      describe: `Config file (default: the nearest ${CONFIG_FILE} in this folder or a folder above)`,
    })
    .demandCommand(1, "Name a command.")
    .strict()
    .help()
    .alias("h", "help")
    .version(GENERATOR_VERSION)
    .alias("v", "version")
    .epilog(
      `Run \`$0 <command> --help\` for a command's options, examples and environment variables.\n\nExit codes (every command):\n${exitCodeLines()}`,
    )
    .wrap(Math.min(120, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new CliFailure(`${msg}\nRun with --help for usage.`, EXIT.usage);
    });
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
