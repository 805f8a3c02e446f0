/** The names the normalizer recognises in captured schemas: JSON types and aliases, media and standard formats. */
import type { MediaKind } from "../runtime/validation/rule-types.js";
import { formats } from "../runtime/validation/formats.js";
import { hasOwn } from "../shared/errors.js";
import type { JsonType } from "../ir/schema-node.js";

export const JSON_TYPES: readonly JsonType[] = ["string", "number", "integer", "boolean", "object", "array", "null"];

/** Type names seen in captured schemas that mean a JSON Schema type. */
export const TYPE_ALIASES: Readonly<Record<string, JsonType>> = Object.freeze({
  float: "number",
  double: "number",
  decimal: "number",
  int: "integer",
  long: "integer",
  bool: "boolean",
  str: "string",
});

export const MEDIA_FORMATS: Readonly<Record<string, MediaKind>> = Object.freeze({
  image_uri: "image",
  video_uri: "video",
  audio_uri: "audio",
});
export const MEDIA_LIST_FORMATS: Readonly<Record<string, MediaKind>> = Object.freeze({
  image_uris: "image",
  video_uris: "video",
  audio_uris: "audio",
});
/** Standard formats the generated validators check, as ajv-formats does (runtime/formats.ts). */
export const STANDARD_FORMATS: readonly string[] = Object.keys(formats).filter((name) => !hasOwn(MEDIA_FORMATS, name));
export const FORMAT_ALIASES: Readonly<Record<string, string>> = Object.freeze({ url: "uri" });
