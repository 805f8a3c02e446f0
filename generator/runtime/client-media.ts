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
} from "./data-uri.js";
import { ValidationError } from "./errors.js";
import type { ValidationIssue } from "./issues.js";
import { joinPointer } from "./json-pointer.js";
import type { MediaKind } from "./rule-types.js";

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

type SchemaNode = { readonly [keyword: string]: unknown };
const isNode = (v: unknown): v is SchemaNode => !!v && typeof v === "object" && !Array.isArray(v);

export const isLocalMedia = (v: unknown): v is LocalMedia =>
  v instanceof Uint8Array || (typeof Blob !== "undefined" && v instanceof Blob);

/** The media kind a schema node (or one of its alternatives) takes, if it is a media input. */
export function mediaKindOf(schema: unknown): MediaKind | undefined {
  if (!isNode(schema)) return undefined;
  const own = schema["x-media"];
  // An array of media carries its kind too: its items are the media.
  const array = schema.type === "array" || (Array.isArray(schema.type) && schema.type.includes("array"));
  if ((own === "image" || own === "video" || own === "audio") && !array) return own;
  for (const key of ["anyOf", "oneOf"]) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives))
      for (const alt of alternatives) {
        const kind = mediaKindOf(alt);
        if (kind) return kind;
      }
  }
  return undefined;
}

/** The schema of a property or array item of `schema`. */
export function childSchema(schema: unknown, key: string | number): unknown {
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

/** What a `mapWithSchema` visitor returns to leave a value to the walk (arrays and objects are descended). */
export const DESCEND: unique symbol = Symbol("descend");

/**
 * Maps an input alongside its schema, a copy: `visit` answers each value with its replacement, or
 * DESCEND to keep it (descending into arrays, one item at a time, and objects). Issues and file reads
 * come in input order.
 */
export async function mapWithSchema(
  value: unknown,
  schema: unknown,
  visit: (value: unknown, schema: unknown, pointer: string) => unknown | typeof DESCEND | Promise<unknown>,
  pointer = "",
): Promise<unknown> {
  const answer = await visit(value, schema, pointer);
  if (answer !== DESCEND) return answer;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, v] of value.entries())
      out.push(await mapWithSchema(v, childSchema(schema, i), visit, joinPointer(pointer, i)));
    return out;
  }
  if (!isNode(value) || isLocalMedia(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, {
      value: await mapWithSchema(v, childSchema(schema, k), visit, joinPointer(pointer, k)),
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
  inputSchema: unknown,
  maxBytes = DATA_URI_MAX_BYTES,
): Promise<unknown> {
  const issues: ValidationIssue[] = [];
  const inline = async (value: unknown, schema: unknown, path: string) => {
    if (!isLocalMedia(value)) return DESCEND;
    const kind = mediaKindOf(schema);
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
  const inlined = await mapWithSchema(input, inputSchema, inline);
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
