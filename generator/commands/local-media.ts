/**
 * Local files for media inputs on the command line, as curl reads them: a media value `@./cat.png`
 * becomes a data URI of the file (RunComfy has no upload endpoint; its own clients send files this
 * way), within the 64 MiB request cap. Only values at media inputs are read, so a prompt that starts
 * with `@` stays text. The media rules are then checked on the file's bytes by validation.
 */
import path from "node:path";
import { DESCEND, mapMediaInputs } from "../runtime/client/local-media.js";
import type { MediaInput, MediaKind } from "../runtime/validation/rule-types.js";
import { DATA_URI_MAX_BYTES, LocalMediaError } from "../runtime/media/data-uri.js";
import { fileToDataUri } from "../runtime/node.js";
import { CliFailure, EXIT, readJsonArgument, type CliIo } from "./context.js";

export interface LocalFile {
  pointer: string;
  file: string;
  bytes: number;
}

/**
 * Replaces every `@path` value at a media input by the file's data URI (paths relative to `cwd`).
 * A missing file is a usage error (exit 2); a file of the wrong type or over the cap makes the input
 * invalid (exit 1), as does a request over the cap in total.
 */
export async function expandLocalMedia(
  input: unknown,
  mediaInputs: readonly MediaInput[],
  cwd: string,
): Promise<{ input: unknown; files: LocalFile[] }> {
  const files: LocalFile[] = [];
  const readFile = async (value: unknown, media: MediaKind | undefined, pointer: string) => {
    const kind = typeof value === "string" && value.startsWith("@") ? media : undefined;
    if (!kind) return DESCEND;
    const name = (value as string).slice(1);
    const file = path.resolve(cwd, name);
    try {
      const uri = await fileToDataUri(file, { kind, name });
      files.push({ pointer, file: name, bytes: uri.length });
      return uri;
    } catch (e) {
      if (e instanceof LocalMediaError)
        throw new CliFailure(`${pointer}: ${e.message}`, EXIT.failed, "ValidationError");
      throw new CliFailure(`${pointer}: cannot read ${name}: ${(e as Error).message}`, EXIT.usage);
    }
  };
  const expanded = await mapMediaInputs(input, mediaInputs, readFile);
  if (files.length) {
    const total = new TextEncoder().encode(JSON.stringify(expanded)).length;
    if (total > DATA_URI_MAX_BYTES)
      throw new CliFailure(
        `the request with ${files.length} local files would be ${(total / 1048576).toFixed(1)} MiB, over RunComfy's 64 MiB request cap; host the larger files and pass their https URLs`,
        EXIT.failed,
        "ValidationError",
      );
  }
  return { input: expanded, files };
}

/** One line per file read, on stderr (stdout stays the command's result). */
export function reportLocalFiles(files: LocalFile[], io: CliIo): void {
  for (const f of files) io.stderr(`${f.pointer}: ${f.file} sent as a data URI (${(f.bytes / 1024).toFixed(0)} KiB)\n`);
}

/**
 * The input a command was given (a JSON file or "-"), with @path values at the model's media inputs
 * read as data URIs and each file reported: what `validate`, `run` and `run --dry-run` all send.
 */
export async function readModelInput(
  pkg: { loadModel: (modelId: string) => Promise<{ mediaInputs?: readonly MediaInput[] }> },
  modelId: string,
  inputArg: string,
  io: CliIo,
): Promise<{ input: unknown; files: LocalFile[] }> {
  const raw = await readJsonArgument(inputArg, io);
  const expanded = await expandLocalMedia(raw, (await pkg.loadModel(modelId)).mediaInputs ?? [], io.cwd);
  reportLocalFiles(expanded.files, io);
  return expanded;
}
