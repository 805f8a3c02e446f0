/**
 * Stage 2 — normalize: turns one captured RunComfy schema (quirks included) into clean JSON Schema,
 * plus a side table of `validations` rules and a list of notes (what was changed, and why).
 * Pure: no I/O. Anything it cannot place is a SchemaFileError naming the file and JSON pointer —
 * never a silent `unknown` or empty-object type.
 */
import { SchemaErrors, SchemaFileError, hasOwn, joinPointer, setOwn } from "../shared/errors.js";
import { parseNumeric, parseRule } from "./rule-parser.js";
import { makeNote, type Note, type NoteCode } from "../shared/notes.js";
import type { MediaKind, Rule, RuleTarget } from "../runtime/rule-types.js";

/** A clean JSON Schema node, as the emitters see it. */
export interface SchemaNode {
  type?: JsonType | JsonType[];
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  /** Which kind of media this string (or each item of this array) references: from its format or its rules. */
  "x-media"?: MediaKind;
  /** The parsed `validations` rules of this property, in words for docs (the data lives in RuleTarget). */
  "x-rules"?: Rule[];
}

export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

export type { Note, NoteSeverity } from "../shared/notes.js";

export interface NormalizedSchema {
  schema: SchemaNode;
  ruleTargets: RuleTarget[];
  notes: Note[];
}

const JSON_TYPES: readonly JsonType[] = ["string", "number", "integer", "boolean", "object", "array", "null"];

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

export const MEDIA_FORMATS: Readonly<Record<string, MediaKind>> = Object.freeze({ image_uri: "image", video_uri: "video", audio_uri: "audio" });
export const MEDIA_LIST_FORMATS: Readonly<Record<string, MediaKind>> = Object.freeze({ image_uris: "image", video_uris: "video", audio_uris: "audio" });
/** Standard formats the generated validators check (see runtime/formats.ts). */
export const STANDARD_FORMATS: readonly string[] = ["uri", "date-time", "date", "email", "uuid"];
const FORMAT_ALIASES: Readonly<Record<string, string>> = Object.freeze({ url: "uri" });

const NUMERIC_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const;
const COUNT_KEYWORDS = ["minLength", "maxLength", "minItems", "maxItems"] as const;
/** Keywords that only document; kept for docs, stripped before compiling validators. */
const ANNOTATION_KEYWORDS = new Set(["title", "description", "default", "examples", "example", "$comment", "readOnly", "writeOnly", "deprecated"]);
const HANDLED_KEYWORDS = new Set([
  "type", "format", "enum", "const", "pattern", "items", "uniqueItems", "properties", "required", "additionalProperties",
  "anyOf", "oneOf", "allOf", "validations", "nullable", "$schema", ...NUMERIC_KEYWORDS, ...COUNT_KEYWORDS,
]);

/** RunComfy's output when a model publishes no output schema. */
export function genericOutputSchema(): Record<string, unknown> {
  const uri = (description: string) => ({ type: "string", format: "uri", description });
  const uris = (description: string) => ({ type: "array", description, items: { type: "string", format: "uri" } });
  return {
    type: "object",
    properties: {
      image: uri("URL of a single image"),
      images: uris("URLs of several images"),
      video: uri("URL of a single video"),
      videos: uris("URLs of several videos"),
      audio: uri("URL of a single audio file"),
      audios: uris("URLs of several audio files"),
    },
  };
}

/** True when a captured output schema is the generic one: a subset of its properties, each the same shape. */
export function isGenericOutputShape(node: Record<string, unknown>): boolean {
  const props = node.properties;
  if (node.type !== "object" || !isPlainObject(props) || !Object.keys(props).length) return false;
  const generic = genericOutputSchema().properties as Record<string, Record<string, unknown>>;
  return Object.keys(props).every((key) => {
    const p = props[key];
    const g = generic[key];
    if (!g || !isPlainObject(p) || p.type !== g.type) return false;
    const format = (s: Record<string, unknown>) => (s.type === "array" ? (isPlainObject(s.items) ? s.items.format : undefined) : s.format);
    return format(p) === format(g) && Object.keys(p).every((k) => ["type", "format", "description", "title", "items"].includes(k));
  });
}

interface Ctx {
  file: string;
  notes: Note[];
  ruleTargets: RuleTarget[];
  /** Errors of sub-schemas: collected so one run reports every problem, not only the first. */
  errors: SchemaFileError[];
}

/** Normalizes a child schema; its error is recorded and a placeholder keeps the walk going. */
function normalizeChild(raw: Record<string, unknown>, pointer: string, ctx: Ctx, dataPath: string[]): SchemaNode {
  try {
    return normalizeNode(raw, pointer, ctx, dataPath);
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    ctx.errors.push(e);
    return { type: "string" };
  }
}

function finish(ctx: Ctx): void {
  if (ctx.errors.length) throw new SchemaErrors(ctx.errors, ctx.notes);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Records a note; its severity comes from the registry (notes.ts). */
function note(ctx: Ctx, code: NoteCode, pointer: string, message: string) {
  ctx.notes.push(makeNote(code, pointer, message));
}

/**
 * Normalize the input schema of a model. `pointer` is where the schema sits in its file
 * (`/input_schema`), so every message points into the file.
 */
export function normalizeInputSchema(raw: unknown, file: string, pointer = "/input_schema"): NormalizedSchema {
  const ctx: Ctx = { file, notes: [], ruleTargets: [], errors: [] };
  if (!isPlainObject(raw)) throw new SchemaErrors([new SchemaFileError(file, pointer, "the input schema must be an object", "schema-shape")]);
  const schema = normalizeChild(raw, pointer, ctx, []);
  if (!ctx.errors.length && schema.type !== "object") ctx.errors.push(new SchemaFileError(file, pointer, `the input schema must describe an object (got type ${JSON.stringify(schema.type)})`, "schema-shape"));
  delete schema.title; // The root title is docs-page chrome in the page's language: never a name.
  finish(ctx);
  return { schema, ruleTargets: ctx.ruleTargets, notes: ctx.notes };
}

/**
 * Normalize the output schema. Missing or null means RunComfy's generic output; the docs print it
 * wrapped as `{"output": {…}}`, which is unwrapped here.
 */
export function normalizeOutputSchema(raw: unknown, file: string, pointer = "/output_schema"): NormalizedSchema & { generic: boolean } {
  const ctx: Ctx = { file, notes: [], ruleTargets: [], errors: [] };
  let generic = false;
  let node = raw;
  let at = pointer;
  if (node === null || node === undefined) {
    generic = true;
    node = genericOutputSchema();
    note(ctx, "generic-output", pointer, "no output schema: RunComfy's generic output (image, images, video, videos, audio, audios) applies");
  } else if (isPlainObject(node) && Object.keys(node).length === 1 && hasOwn(node, "output") && isPlainObject(node.output)) {
    node = node.output;
    at = joinPointer(pointer, "output");
  }
  if (!isPlainObject(node)) throw new SchemaErrors([new SchemaFileError(file, pointer, "the output schema must be an object or null", "schema-shape")]);
  if (!generic && isGenericOutputShape(node)) {
    // The docs print the generic output with descriptions in the page's language: use the canonical one.
    generic = true;
    node = genericOutputSchema();
    note(ctx, "generic-output", at, "output schema is RunComfy's generic output (image, images, video, videos; audio, audios accepted too)");
  }
  const schema = normalizeChild(node as Record<string, unknown>, at, ctx, []);
  delete schema.title;
  if (!ctx.errors.length && schema.type !== "object") ctx.errors.push(new SchemaFileError(file, at, `the output schema must describe an object (got type ${JSON.stringify(schema.type)})`, "schema-shape"));
  finish(ctx);
  if (ctx.ruleTargets.length) note(ctx, "rules-on-output", at, "validations in the output schema are ignored: rules apply to inputs");
  return { schema, ruleTargets: [], notes: ctx.notes, generic };
}

function resolveType(raw: Record<string, unknown>, pointer: string, ctx: Ctx): JsonType | JsonType[] | undefined {
  const t = raw.type;
  const one = (name: unknown, at: string): JsonType => {
    if (typeof name !== "string") throw new SchemaFileError(ctx.file, at, `type must be a string, got ${JSON.stringify(name)}`, "unknown-type");
    if ((JSON_TYPES as readonly string[]).includes(name)) return name as JsonType;
    const alias = hasOwn(TYPE_ALIASES, name.toLowerCase()) ? TYPE_ALIASES[name.toLowerCase()] : undefined;
    if (alias) {
      note(ctx, "normalized-type", at, `type ${JSON.stringify(name)} is not JSON Schema; read as ${JSON.stringify(alias)}`);
      return alias;
    }
    throw new SchemaFileError(ctx.file, at, `unknown type ${JSON.stringify(name)} (expected one of ${JSON_TYPES.join(", ")}, or float/int/bool)`, "unknown-type");
  };
  if (t === undefined) return undefined;
  if (Array.isArray(t)) {
    if (!t.length) throw new SchemaFileError(ctx.file, joinPointer(pointer, "type"), "type is an empty list", "unknown-type");
    const types = [...new Set(t.map((x, i) => one(x, joinPointer(pointer, "type", i))))];
    return types.length === 1 ? types[0] : types;
  }
  return one(t, joinPointer(pointer, "type"));
}

function inferType(raw: Record<string, unknown>): JsonType | JsonType[] | undefined {
  const values = Array.isArray(raw.enum) ? raw.enum : hasOwn(raw, "const") ? [raw.const] : undefined;
  if (values && values.length) {
    const types = new Set<JsonType>(
      values.map((v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : (typeof v as JsonType))),
    );
    if (types.has("number")) types.delete("integer");
    const list = [...types];
    return list.length === 1 ? list[0] : list;
  }
  if (isPlainObject(raw.properties)) return "object";
  if (raw.items !== undefined) return "array";
  if (typeof raw.format === "string" && hasOwn(MEDIA_FORMATS, raw.format)) return "string";
  if (typeof raw.format === "string" && hasOwn(MEDIA_LIST_FORMATS, raw.format)) return "array";
  return undefined;
}

const hasType = (t: SchemaNode["type"], name: JsonType) => (Array.isArray(t) ? t.includes(name) : t === name);

/** A value that should be a number may arrive as a numeric string; convert it and say so. */
function coerceToType(value: unknown, type: SchemaNode["type"], at: string, ctx: Ctx, what: string): unknown {
  if (typeof value === "string" && (hasType(type, "number") || hasType(type, "integer")) && !hasType(type, "string")) {
    const n = parseNumeric(value);
    if (n !== undefined) {
      note(ctx, "numeric-string", at, `${what} ${JSON.stringify(value)} is a string where a number belongs; read as ${n}`);
      return n;
    }
  }
  if (typeof value === "string" && hasType(type, "boolean") && !hasType(type, "string") && (value === "true" || value === "false")) {
    note(ctx, "boolean-string", at, `${what} ${JSON.stringify(value)} is a string where a boolean belongs; read as ${value}`);
    return value === "true";
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new SchemaFileError(ctx.file, at, `${what} is not a finite number`, "bad-number");
  return value;
}

function normalizeNode(raw: Record<string, unknown>, pointer: string, ctx: Ctx, dataPath: string[]): SchemaNode {
  const out: SchemaNode = {};
  let type = resolveType(raw, pointer, ctx);
  if (raw.nullable === true && type !== undefined) {
    type = [...new Set([...(Array.isArray(type) ? type : [type]), "null" as JsonType])];
    note(ctx, "nullable", joinPointer(pointer, "nullable"), "OpenAPI `nullable: true` read as a union with null");
  }
  if (type === undefined && !raw.anyOf && !raw.oneOf && !raw.allOf) {
    type = inferType(raw);
    if (type === undefined) {
      throw new SchemaFileError(ctx.file, pointer, "cannot determine this schema's type: add a `type` (string, number, integer, boolean, object, array)", "missing-type");
    }
    note(ctx, "inferred-type", pointer, `no type given; inferred ${JSON.stringify(type)}`);
  }
  if (type !== undefined) out.type = type;

  for (const key of Object.keys(raw)) {
    if (!HANDLED_KEYWORDS.has(key) && !ANNOTATION_KEYWORDS.has(key)) {
      note(ctx, "unknown-keyword", joinPointer(pointer, key), `keyword ${JSON.stringify(key)} is not understood and is ignored`);
    }
  }

  if (typeof raw.title === "string") out.title = raw.title;
  if (typeof raw.description === "string" && raw.description.trim() !== "") out.description = raw.description;

  // Numeric limits, which captured schemas sometimes write as strings.
  for (const key of [...NUMERIC_KEYWORDS, ...COUNT_KEYWORDS]) {
    if (!hasOwn(raw, key)) continue;
    const at = joinPointer(pointer, key);
    const n = parseNumeric(raw[key]);
    if (n === undefined) throw new SchemaFileError(ctx.file, at, `${key} must be a number, got ${JSON.stringify(raw[key])}`, "bad-number");
    if (typeof raw[key] === "string") note(ctx, "numeric-string", at, `${key} ${JSON.stringify(raw[key])} is a string; read as ${n}`);
    if ((COUNT_KEYWORDS as readonly string[]).includes(key) && (!Number.isInteger(n) || n < 0)) {
      throw new SchemaFileError(ctx.file, at, `${key} must be a non-negative integer, got ${n}`, "bad-number");
    }
    if (key === "multipleOf" && n <= 0) throw new SchemaFileError(ctx.file, at, `multipleOf must be greater than 0, got ${n}`, "bad-number");
    (out as Record<string, unknown>)[key] = n;
  }
  if (hasOwn(raw, "pattern")) {
    const at = joinPointer(pointer, "pattern");
    if (typeof raw.pattern !== "string") throw new SchemaFileError(ctx.file, at, "pattern must be a string", "bad-pattern");
    try {
      new RegExp(raw.pattern, "u");
    } catch (e) {
      throw new SchemaFileError(ctx.file, at, `pattern is not a valid regular expression: ${(e as Error).message}`, "bad-pattern");
    }
    out.pattern = raw.pattern;
  }
  if (hasOwn(raw, "uniqueItems")) {
    if (typeof raw.uniqueItems !== "boolean") throw new SchemaFileError(ctx.file, joinPointer(pointer, "uniqueItems"), "uniqueItems must be true or false", "schema-shape");
    out.uniqueItems = raw.uniqueItems;
  }

  // Formats: media formats mark media inputs; plural forms go on arrays (with or without `items`).
  let itemsFormat: string | undefined;
  if (hasOwn(raw, "format")) {
    const at = joinPointer(pointer, "format");
    const format = raw.format;
    if (typeof format !== "string") throw new SchemaFileError(ctx.file, at, "format must be a string", "bad-format");
    const isArray = hasType(out.type, "array");
    if (hasOwn(MEDIA_FORMATS, format) || hasOwn(MEDIA_LIST_FORMATS, format)) {
      const kind = MEDIA_FORMATS[format] ?? MEDIA_LIST_FORMATS[format];
      const singular = `${kind}_uri`;
      out["x-media"] = kind;
      if (isArray) {
        if (hasOwn(MEDIA_FORMATS, format)) note(ctx, "format-on-array", at, `format ${JSON.stringify(format)} on an array applies to each item`);
        itemsFormat = singular;
      } else {
        if (hasOwn(MEDIA_LIST_FORMATS, format)) note(ctx, "format-plural-on-string", at, `plural format ${JSON.stringify(format)} on a single value; read as ${JSON.stringify(singular)}`);
        out.format = singular;
      }
    } else if (STANDARD_FORMATS.includes(format) || hasOwn(FORMAT_ALIASES, format)) {
      const f = hasOwn(FORMAT_ALIASES, format) ? FORMAT_ALIASES[format] : format;
      if (isArray) itemsFormat = f;
      else out.format = f;
    } else {
      note(ctx, "unknown-format", at, `format ${JSON.stringify(format)} is not known; values are not checked against it`);
    }
  }

  if (hasOwn(raw, "enum")) {
    const at = joinPointer(pointer, "enum");
    if (!Array.isArray(raw.enum) || raw.enum.length === 0) throw new SchemaFileError(ctx.file, at, "enum must be a non-empty array", "bad-enum");
    const values = raw.enum.map((v, i) => coerceToType(v, out.type, joinPointer(at, i), ctx, "enum value"));
    // Duplicates mean nothing in JSON Schema but make validators refuse the schema: keep the first.
    const seen = new Set<string>();
    out.enum = values.filter((v, i) => {
      const key = JSON.stringify(v);
      if (seen.has(key)) {
        note(ctx, "duplicate-enum", joinPointer(at, i), `enum value ${key} is listed twice; the duplicate is ignored — remove it`);
        return false;
      }
      seen.add(key);
      return true;
    });
  }
  if (hasOwn(raw, "const")) out.const = coerceToType(raw.const, out.type, joinPointer(pointer, "const"), ctx, "const");
  if (hasOwn(raw, "default")) out.default = coerceToType(raw.default, out.type, joinPointer(pointer, "default"), ctx, "default");
  if (Array.isArray(raw.examples)) out.examples = raw.examples;

  // Arrays.
  if (hasOwn(raw, "items")) {
    const at = joinPointer(pointer, "items");
    if (!isPlainObject(raw.items)) throw new SchemaFileError(ctx.file, at, "items must be a schema object (tuple `items` is not supported)", "schema-shape");
    const itemsRaw: Record<string, unknown> = { ...raw.items };
    if (itemsFormat && itemsRaw.format === undefined) itemsRaw.format = itemsFormat;
    out.items = normalizeChild(itemsRaw, at, ctx, [...dataPath, "*"]);
    if (itemsFormat && out.items.format !== itemsFormat && !(out.items.format === undefined && out["x-media"])) {
      throw new SchemaFileError(ctx.file, joinPointer(at, "format"), `items format ${JSON.stringify(out.items.format)} conflicts with the array's format ${JSON.stringify(raw.format)}`, "bad-format");
    }
    if (out["x-media"] && !out.items["x-media"]) out.items["x-media"] = out["x-media"];
  } else if (hasType(out.type, "array")) {
    if (itemsFormat) {
      out.items = { type: "string", format: itemsFormat };
      if (out["x-media"]) out.items["x-media"] = out["x-media"];
      note(ctx, "items-from-format", pointer, `array without items: each item is a string of format ${JSON.stringify(itemsFormat)}`);
    } else {
      throw new SchemaFileError(ctx.file, pointer, "array without `items`: say what the items are", "missing-items");
    }
  }

  // Objects.
  if (hasOwn(raw, "properties")) {
    const at = joinPointer(pointer, "properties");
    if (!isPlainObject(raw.properties)) throw new SchemaFileError(ctx.file, at, "properties must be an object", "schema-shape");
    const props: Record<string, SchemaNode> = {};
    for (const key of Object.keys(raw.properties)) {
      const child = raw.properties[key];
      const childAt = joinPointer(at, key);
      if (!isPlainObject(child)) throw new SchemaFileError(ctx.file, childAt, "a property's schema must be an object", "schema-shape");
      setOwn(props, key, normalizeChild(child, childAt, ctx, [...dataPath, key]));
    }
    out.properties = props;
  }
  if (hasOwn(raw, "required")) {
    const at = joinPointer(pointer, "required");
    if (!Array.isArray(raw.required) || raw.required.some((r) => typeof r !== "string")) throw new SchemaFileError(ctx.file, at, "required must be an array of property names", "schema-shape");
    const required: string[] = [];
    (raw.required as string[]).forEach((name, i) => {
      if (out.properties && hasOwn(out.properties, name)) {
        if (!required.includes(name)) required.push(name);
      } else {
        note(ctx, "required-missing-property", joinPointer(at, i), `required property ${JSON.stringify(name)} is not in properties; it cannot be typed and is not enforced`);
      }
    });
    if (required.length) out.required = required;
  }
  if (hasOwn(raw, "additionalProperties")) {
    const ap = raw.additionalProperties;
    const at = joinPointer(pointer, "additionalProperties");
    if (typeof ap === "boolean") out.additionalProperties = ap;
    else if (isPlainObject(ap)) out.additionalProperties = normalizeChild(ap, at, ctx, [...dataPath, "*"]);
    else throw new SchemaFileError(ctx.file, at, "additionalProperties must be a boolean or a schema", "schema-shape");
  } else if (hasType(out.type, "object")) {
    // Exact objects: a misspelled key is an error, not a silently ignored field.
    out.additionalProperties = false;
  }

  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    if (!hasOwn(raw, key)) continue;
    const at = joinPointer(pointer, key);
    const list = raw[key];
    if (!Array.isArray(list) || !list.length || !list.every(isPlainObject)) throw new SchemaFileError(ctx.file, at, `${key} must be a non-empty array of schemas`, "schema-shape");
    out[key] = (list as Record<string, unknown>[]).map((s, i) => normalizeChild(s, joinPointer(at, i), ctx, dataPath));
  }

  // The custom `validations` media rules go to the side table.
  if (hasOwn(raw, "validations")) {
    const at = joinPointer(pointer, "validations");
    if (!Array.isArray(raw.validations)) throw new SchemaFileError(ctx.file, at, "validations must be an array of rules", "bad-rule");
    const rules = raw.validations.map((entry, i) => {
      const rule = parseRule(entry);
      if (rule.kind === "unchecked") note(ctx, rule.code, joinPointer(at, i), `rule cannot be checked: ${rule.reason}`);
      return rule;
    });
    const onArray = hasType(out.type, "array");
    const target = onArray ? out.items : out;
    if (!target || !hasType(target.type, "string")) {
      note(ctx, "rule-on-non-media", at, "validations on a property that is not a media URL (string or array of strings): each rule is reported as unchecked at validation time");
    }
    const media = target?.["x-media"] ?? null;
    if (!media && rules.some((r) => r.kind === "checked")) {
      note(ctx, "media-from-rules", at, "no media format; the property's rules say it references media");
    }
    if (rules.length) {
      out["x-rules"] = rules;
      ctx.ruleTargets.push({ path: onArray ? [...dataPath, "*"] : dataPath, media, rules });
    }
  }

  return out;
}
