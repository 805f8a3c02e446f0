/**
 * Local files for media inputs on the command line, as curl reads them: a media value `@./cat.png`
 * becomes a data URI of the file (RunComfy has no upload endpoint; its own clients send files this
 * way), within the 64 MiB request cap. Only values at media inputs are read, so a prompt that starts
 * with `@` stays text. The media rules are then checked on the file's bytes by validation.
 */
import path from "node:path";
import { DATA_URI_MAX_BYTES, LocalMediaError } from "../runtime/data-uri.js";
import { joinPointer } from "../runtime/json-pointer.js";
import { fileToDataUri } from "../runtime/node.js";
import type { MediaKind } from "../runtime/rule-types.js";
import { CliFailure, EXIT, readJsonArgument, type CliIo } from "./context.js";

type SchemaNode = { readonly [keyword: string]: unknown };

export interface LocalFile {
  pointer: string;
  file: string;
  bytes: number;
}

const isNode = (v: unknown): v is SchemaNode => !!v && typeof v === "object" && !Array.isArray(v);

/** The media kind a schema node (or one of its alternatives) takes, if it is a media input. */
function mediaKindOf(schema: unknown): MediaKind | undefined {
  if (!isNode(schema)) return undefined;
  const own = schema["x-media"];
  if (own === "image" || own === "video" || own === "audio") return own;
  for (const key of ["anyOf", "oneOf"]) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives)) for (const alt of alternatives) if (mediaKindOf(alt)) return mediaKindOf(alt);
  }
  return undefined;
}

function childSchema(schema: unknown, key: string | number): unknown {
  if (!isNode(schema)) return undefined;
  if (typeof key === "number") {
    const prefix = schema.prefixItems;
    if (Array.isArray(prefix) && key < prefix.length) return prefix[key];
    return Array.isArray(schema.items) ? schema.items[key] : schema.items;
  }
  const props = schema.properties;
  if (isNode(props) && Object.hasOwn(props, key)) return props[key];
  return isNode(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

/**
 * Replaces every `@path` value at a media input by the file's data URI (paths relative to `cwd`).
 * A missing file is a usage error (exit 2); a file of the wrong type or over the cap makes the input
 * invalid (exit 1), as does a request over the cap in total.
 */
export async function expandLocalMedia(
  input: unknown,
  inputSchema: unknown,
  cwd: string,
): Promise<{ input: unknown; files: LocalFile[] }> {
  const files: LocalFile[] = [];
  const walk = async (value: unknown, schema: unknown, pointer: string): Promise<unknown> => {
    if (typeof value === "string") {
      const kind = mediaKindOf(schema);
      if (!kind || !value.startsWith("@")) return value;
      const file = path.resolve(cwd, value.slice(1));
      try {
        const uri = await fileToDataUri(file, { kind, name: value.slice(1) });
        files.push({ pointer, file: value.slice(1), bytes: uri.length });
        return uri;
      } catch (e) {
        if (e instanceof LocalMediaError)
          throw new CliFailure(`${pointer}: ${e.message}`, EXIT.failed, "ValidationError");
        throw new CliFailure(`${pointer}: cannot read ${value.slice(1)}: ${(e as Error).message}`, EXIT.usage);
      }
    }
    if (Array.isArray(value))
      return Promise.all(value.map((v, i) => walk(v, childSchema(schema, i), joinPointer(pointer, i))));
    if (isNode(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        Object.defineProperty(out, k, {
          value: await walk(v, childSchema(schema, k), joinPointer(pointer, k)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    return value;
  };
  const expanded = await walk(input, inputSchema, "");
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
  pkg: { loadModel: (modelId: string) => Promise<{ inputSchema: unknown }> },
  modelId: string,
  inputArg: string,
  io: CliIo,
): Promise<{ input: unknown; files: LocalFile[] }> {
  const raw = await readJsonArgument(inputArg, io);
  const expanded = await expandLocalMedia(raw, (await pkg.loadModel(modelId)).inputSchema, io.cwd);
  reportLocalFiles(expanded.files, io);
  return expanded;
}
