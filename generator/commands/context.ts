/** What every CLI command gets: where to print, and how to set the exit code. */
import type { Argv } from "yargs";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input (for `-` arguments). */
  stdin: () => Promise<string>;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export interface CommandContext {
  io: CliIo;
  setExit: (code: number) => void;
}

/** A failure to report as a message, not a stack trace. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
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
    throw new CliFailure(`cannot read ${arg}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliFailure(`${fromStdin ? "standard input" : arg} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The generated package's root module, for commands that run it (validate, run). */
export async function importGeneratedPackage<T extends { modelIds: readonly string[] }>(dir: string): Promise<T> {
  const { default: path } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  try {
    return (await import(pathToFileURL(path.resolve(dir, "index.js")).href)) as T;
  } catch (e) {
    throw new CliFailure(`cannot load the generated package at ${dir} (run \`npm run generate\` first): ${(e as Error).message}`);
  }
}

/** Fails with the list of known ids when the package has no such model. */
export function requireKnownModel(pkg: { modelIds: readonly string[] }, modelId: string): void {
  if (!pkg.modelIds.includes(modelId)) throw new CliFailure(`unknown model id ${JSON.stringify(modelId)}; known: ${pkg.modelIds.join(", ")}`);
}
