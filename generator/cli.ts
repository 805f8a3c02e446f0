#!/usr/bin/env node
/**
 * The `runcomfy-codegen` command line. Exit codes: 0 success, 1 the job failed (bad schemas, stale
 * output, invalid input), 2 bad usage or an internal error. Bad input never prints a stack trace.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { GeneratorError, SchemaErrors } from "./shared/errors.js";
import { CliFailure, EXIT, plural, type CliIo, type RegisterCommand } from "./commands/context.js";
import { registerGenerate } from "./commands/generate.js";
import { registerValidate } from "./commands/validate.js";
import { registerMockServer } from "./commands/mock-server.js";
import { registerRun } from "./commands/run.js";
import { registerLint } from "./commands/lint.js";
import { registerImport, registerPull } from "./commands/import.js";

export { EXIT, CliFailure, type CliIo };

const COMMANDS: RegisterCommand[] = [registerGenerate, registerLint, registerValidate, registerRun, registerImport, registerPull, registerMockServer];

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
  env: process.env,
});

export async function runCli(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...processIo(), ...partialIo };
  let exitCode: number = EXIT.ok;
  const ctx = { io, setExit: (code: number) => void (exitCode = code) };
  let parser = yargs(argv).scriptName("runcomfy-codegen").usage("$0 <command> [options]");
  for (const register of COMMANDS) parser = register(parser, ctx);
  parser = parser
    .demandCommand(1, "Name a command.")
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
    if (e instanceof GeneratorError) {
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
