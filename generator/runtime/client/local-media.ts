/**
 * Local media in code: a `Blob`, `File` or `Uint8Array` given for a media input is sent as a data URI
 * (RunComfy's Model API has no upload endpoint; its own clients send files this way), in any runtime.
 * Its type comes from the Blob's type, the File's name, or the bytes' signature; it must fit the
 * input's kind (an image for an image input) and RunComfy's 64 MiB cap, checked before anything is
 * sent. The media rules are then checked on the bytes by validation, which probes data URIs locally.
 */
import {
  bytesToDataUri,
  checkLocalMedia,
  DATA_URI_MAX_BYTES,
  LocalMediaError,
  mediaTypeOfName,
  sniffMediaType,
} from "../media/data-uri.js";
import { ValidationError } from "../errors.js";
import type { ValidationIssue } from "../validation/issues.js";
import { joinPointer } from "../json-pointer.js";
import type { MediaInput, MediaKind } from "../validation/rule-types.js";

/** What a media input takes besides a URL: bytes in memory (a `File` is a `Blob`). */
export type LocalMedia = Blob | Uint8Array;

type Rest<P extends string, H extends string> = P extends H ? "" : P extends `${H}/${infer R}` ? R : never;

/**
 * `T` with local media allowed at the paths `P` (`"image_urls/*"`: `*` for array items, `""` for `T`
 * itself), as the generated package types the input `submit`, `run` and `subscribe` take.
 */
export type WithLocalMedia<T, P extends string> = [P] extends [never]
  ? T
  : "" extends P
    ? T | LocalMedia
    : T extends readonly unknown[]
      ? { [K in keyof T]: WithLocalMedia<T[K], Rest<P, "*">> }
      : T extends object
        ? { [K in keyof T]: K extends string ? WithLocalMedia<T[K], Rest<P, K>> : T[K] }
        : T;

export const isLocalMedia = (v: unknown): v is LocalMedia =>
  v instanceof Uint8Array || (typeof Blob !== "undefined" && v instanceof Blob);

/** What a `mapMediaInputs` visitor returns to leave a value to the walk (arrays and objects are descended). */
export const DESCEND: unique symbol = Symbol("descend");

/**
 * Maps an input, a copy: `visit` answers each value — with the media kind the model's `mediaInputs`
 * give its place, if any — with its replacement, or DESCEND to keep it (descending into arrays, one
 * item at a time, and objects). The places come from the data the generator emitted per model, the
 * same list the types' `MediaPaths` spells. Issues and file reads come in input order.
 */
export async function mapMediaInputs(
  value: unknown,
  inputs: readonly MediaInput[],
  visit: (value: unknown, media: MediaKind | undefined, pointer: string) => unknown | typeof DESCEND | Promise<unknown>,
  pointer = "",
  depth = 0,
): Promise<unknown> {
  // A place whose kind no format or rule says (media null) takes URLs only: local media needs a kind to check.
  const here = inputs.find((i) => i.path.length === depth)?.media ?? undefined;
  const answer = await visit(value, here, pointer);
  if (answer !== DESCEND) return answer;
  const under = (segment: string, isIndex: boolean) =>
    inputs.filter((i) => i.path.length > depth && (i.path[depth] === segment || (isIndex && i.path[depth] === "*")));
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, v] of value.entries())
      out.push(await mapMediaInputs(v, under(String(i), true), visit, joinPointer(pointer, i), depth + 1));
    return out;
  }
  if (!value || typeof value !== "object" || isLocalMedia(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, {
      value: await mapMediaInputs(v, under(k, false), visit, joinPointer(pointer, k), depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** Whether the input holds local media anywhere (checked before loading a schema for it). */
export function hasLocalMedia(value: unknown, depth = 0): boolean {
  if (isLocalMedia(value)) return true;
  if (depth > 64 || !value || typeof value !== "object") return false;
  return Object.values(value).some((v) => hasLocalMedia(v, depth + 1));
}

/** The media type of one local media value (the Blob's type, the File's name, else the bytes' signature). */
async function typeOf(value: LocalMedia): Promise<string | undefined> {
  if (value instanceof Uint8Array) return sniffMediaType(value.subarray(0, 64));
  const name = (value as { name?: unknown }).name;
  const declared = value.type || (typeof name === "string" ? mediaTypeOfName(name) : undefined);
  return declared || sniffMediaType(new Uint8Array(await value.slice(0, 64).arrayBuffer()));
}

/** What a value is called in messages. */
function nameOf(value: LocalMedia): string {
  const name = (value as { name?: unknown }).name;
  if (typeof name === "string" && name) return JSON.stringify(name);
  return `the ${value instanceof Uint8Array ? "Uint8Array" : "Blob"}`;
}

const issue = (path: string, message: string): ValidationIssue => ({
  path,
  message,
  source: "schema",
  severity: "error",
  keyword: "localMedia",
});

/**
 * The input with every local media value at a media input replaced by its data URI (the caller's
 * object is not changed). Local media anywhere else, of the wrong kind, or over the cap (each value,
 * and the request as a whole) is a ValidationError listing each problem, before anything is sent.
 */
export async function inlineLocalMedia(
  modelId: string,
  input: unknown,
  inputs: readonly MediaInput[],
  maxBytes = DATA_URI_MAX_BYTES,
): Promise<unknown> {
  const issues: ValidationIssue[] = [];
  const inline = async (value: unknown, kind: MediaKind | undefined, path: string) => {
    if (!isLocalMedia(value)) return DESCEND;
    if (!kind) {
      issues.push(issue(path, "local media (a Blob, File or Uint8Array) was given, but this is not a media input"));
      return value;
    }
    // Type and size are checked before the bytes are read.
    const size = value instanceof Uint8Array ? value.byteLength : value.size;
    let type: string;
    try {
      type = checkLocalMedia(size, await typeOf(value), kind, nameOf(value), maxBytes);
    } catch (e) {
      if (!(e instanceof LocalMediaError)) throw e;
      issues.push(issue(path, e.message));
      return value;
    }
    return bytesToDataUri(value instanceof Uint8Array ? value : new Uint8Array(await value.arrayBuffer()), type);
  };
  const inlined = await mapMediaInputs(input, inputs, inline);
  if (!issues.length) {
    const total = new TextEncoder().encode(JSON.stringify(inlined)).length;
    if (total > maxBytes)
      issues.push(
        issue(
          "",
          `with its local media the request is ${(total / 1048576).toFixed(1)} MiB, over RunComfy's ${(maxBytes / 1048576).toFixed(0)} MiB request cap; host the larger files and pass their https URLs`,
        ),
      );
  }
  if (issues.length)
    throw new ValidationError(
      `input for ${modelId} is invalid: ${issues.map((i) => `${i.path || "/"} ${i.message}`).join("; ")}`,
      issues,
    );
  return inlined;
}
