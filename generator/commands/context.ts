/** What every CLI command gets: where to print, and how to set the exit code. */
import type { Argv } from "yargs";
import type { CodegenConfig } from "../shared/config.js";
import { generateCommand } from "../shared/paths.js";

/**
 * The exit codes every command honours (one table: `--help` prints it, the README copies it).
 * Scripts can tell "you asked wrongly" (2) from "the service failed" (3) from "not finished yet" (4).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, service: 3, pending: 4, internal: 70, interrupted: 130 } as const;

export const EXIT_TABLE: readonly { code: number; meaning: string }[] = [
  { code: EXIT.ok, meaning: "success" },
  {
    code: EXIT.failed,
    meaning: "problems found (lint, validate, generate --check), or the job failed or was cancelled",
  },
  { code: EXIT.usage, meaning: "bad usage or setup: arguments, a missing file, config, token, model id" },
  { code: EXIT.service, meaning: "RunComfy or the network failed (an HTTP error, unreachable)" },
  { code: EXIT.pending, meaning: "the job has not finished (run --timeout, result of a running job)" },
  { code: EXIT.internal, meaning: "internal error: a bug in runcomfy-codegen (please report it)" },
  { code: EXIT.interrupted, meaning: "interrupted (Ctrl-C)" },
];

/** Environment variables the CLI reads, with what they mean (each command's --help lists its own). */
export const ENV_VARS = {
  RUNCOMFY_API_TOKEN:
    "your RunComfy API token (sent as a Bearer token; never printed); else RUNCOMFY_TOKEN, else the official runcomfy CLI's login (~/.config/runcomfy/token.json)",
  RUNCOMFY_BASE_URL:
    "the Model API's base URL (default https://model-api.runcomfy.net/v1; --base-url wins; RUNCOMFY_MODEL_API_BASE is read after it)",
  RUNCOMFY_CONFIG_DIR:
    "the folder of the official runcomfy CLI's token.json (default: XDG_CONFIG_HOME/runcomfy, else ~/.config/runcomfy)",
  RUNCOMFY_CODEGEN_CACHE_DIR:
    "the cache of emitted files of unchanged models (default: node_modules/.cache/runcomfy-codegen in your project, the nearest folder with a package.json)",
  TERM: "dumb: progress as plain lines instead of the live line",
  NO_COLOR: "any non-empty value: no colours in the output (FORCE_COLOR wins)",
  FORCE_COLOR: "colours even when stdout is not a terminal; 0 or false: never",
} as const;
export type EnvVarName = keyof typeof ENV_VARS;

export interface CommandHelp {
  /** `[command line, what it does]`; `$0` is the program name. */
  examples: [string, string][];
  env: EnvVarName[];
}

/** Examples, environment variables and the exit codes for a command's --help. */
export function withHelp<T>(c: Argv<T>, help: CommandHelp): Argv<T> {
  // Formatted here rather than with yargs' example(): its two columns break long model ids badly.
  const examples = help.examples.map(([cmd, what]) => `  ${cmd}\n      ${what}`).join("\n");
  const env = help.env.length ? help.env.map((name) => `  ${name}\n      ${ENV_VARS[name]}`).join("\n") : "  (none)";
  return c.epilog(`Examples:\n${examples}\n\nEnvironment:\n${env}\n\nExit codes:\n${exitCodeLines()}`);
}

/** The package's messages name its options; on the command line, they name the flags instead. */
const FLAG_OF_OPTION: [string, string][] = [
  ["set allowPrivateNetwork to allow", "--allow-private-network allows it"],
  ["set allowHttp to allow", "--allow-http allows it"],
];
export const cliWording = (text: string): string =>
  FLAG_OF_OPTION.reduce((t, [option, flag]) => t.replaceAll(option, flag), text);

export const exitCodeLines = () => EXIT_TABLE.map((e) => `  ${String(e.code).padStart(3)}  ${e.meaning}`).join("\n");

export interface CliIo {
  /** Under runCli, stdout and stderr print control characters (but tab and newline) as visible escapes. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * The CLI's own terminal sequences (the live line's erase, lint's colours), unescaped; what goes
   * through here must already be terminal-safe text. Without it, stdout and stderr.
   */
  control?: { stdout: (text: string) => void; stderr: (text: string) => void };
  /** Reads standard input (for `-` arguments). */
  stdin: () => Promise<string>;
  /** stdout is a terminal (colours). */
  isTTY: boolean;
  /** stderr is a terminal (run's live line); default: isTTY. */
  stderrIsTTY?: boolean;
  env: Record<string, string | undefined>;
  /** Where the config file is looked for. */
  cwd: string;
}

export interface CommandContext {
  io: CliIo;
  /** runcomfy-codegen.config.json (or defaults): command-line options win over it. */
  config: CodegenConfig;
  setExit: (code: number) => void;
}

/** A failure to report as a message, not a stack trace. `type` names it in `--json` output. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly type = exitCode === EXIT.usage ? "UsageError" : "Failure",
  ) {
    super(message);
  }
}

export type RegisterCommand = (y: Argv, ctx: CommandContext) => Argv;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Reads a JSON document from a file path or `-` (stdin), with a clear error for either failure. */
export async function readJsonArgument(arg: string, io: CliIo): Promise<unknown> {
  const { readFile } = await import("node:fs/promises");
  let text: string;
  // yargs hands a lone "-" positional over as an empty string.
  const fromStdin = arg === "-" || arg === "";
  try {
    text = fromStdin ? await io.stdin() : await readFile(arg, "utf8");
  } catch (e) {
    throw new CliFailure(`cannot read ${arg}: ${(e as Error).message}`, EXIT.usage);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliFailure(`${fromStdin ? "standard input" : arg} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Colours as Node and the tools around it decide (no-color.org, force-color.org): FORCE_COLOR wins
 * (`0` or `false`: none, any other value: colours); then a non-empty NO_COLOR turns them off; else
 * colours when stdout is a terminal.
 */
export function colorWanted(io: Pick<CliIo, "env" | "isTTY">): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (io.env.NO_COLOR) return false;
  return io.isTTY;
}

/** The generated package's root module, for commands that run it (validate, run). */
export async function importGeneratedPackage<T extends { modelIds: readonly string[] }>(
  dir: string,
  cwd = process.cwd(),
): Promise<T> {
  const { default: path } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  try {
    // The root entry does not carry the id list (it would grow with the catalog): that is models.js.
    const [root, { modelIds }] = await Promise.all([
      import(pathToFileURL(path.resolve(dir, "index.js")).href),
      import(pathToFileURL(path.resolve(dir, "models.js")).href),
    ]);
    return { ...root, modelIds } as T;
  } catch (e) {
    throw new CliFailure(
      `cannot load the generated package at ${dir} (run \`${generateCommand(cwd)}\` first): ${(e as Error).message}`,
      EXIT.usage,
    );
  }
}

/** Fails with the list of known ids when the package has no such model. */
export function requireKnownModel(pkg: { modelIds: readonly string[] }, modelId: string): void {
  if (!pkg.modelIds.includes(modelId))
    throw new CliFailure(
      `unknown model id ${JSON.stringify(modelId)}; known: ${pkg.modelIds.join(", ")}`,
      EXIT.usage,
      "UnknownModelError",
    );
}
