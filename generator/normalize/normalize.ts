/**
 * Stage 2 — normalize: turns one captured RunComfy schema (quirks included) into clean JSON Schema
 * (draft 2020-12 form: tuples as `prefixItems`), plus side tables — the `validations` rules, the
 * property names each input object declares — and a list of notes (what was changed, and why).
 * The work is a table of named rules run in order on each schema node (rules/index.ts, one file per rule).
 * Pure: no I/O; a `$ref` is resolved only inside the same schema. Anything it cannot place is a
 * SchemaFileError naming the file and JSON pointer.
 */
import { joinPointer } from "../runtime/json-pointer.js";
import { SchemaErrors, SchemaFileError, hasOwn } from "../shared/errors.js";
import { NORMALIZER_RULES, type NodeContext } from "./rules/index.js";
import type { MediaKind, Rule, RuleTarget } from "../runtime/rule-types.js";
import { formats } from "../runtime/formats.js";
import { makeNote, type Note, type NoteCode } from "../shared/notes.js";

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
  /** Tuple items (draft-07's array form of `items` is read into this). */
  prefixItems?: SchemaNode[];
  /** Each item (after `prefixItems`, if any). */
  items?: SchemaNode;
  contains?: SchemaNode;
  minContains?: number;
  maxContains?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  unevaluatedItems?: boolean | SchemaNode;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  /** Absent unless the schema declares it: objects are open, and unknown keys are warned about at run time. */
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  minProperties?: number;
  maxProperties?: number;
  dependencies?: Record<string, SchemaNode | string[]>;
  dependentRequired?: Record<string, string[]>;
  dependentSchemas?: Record<string, SchemaNode>;
  unevaluatedProperties?: boolean | SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  not?: SchemaNode;
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  /** A pointer into the same schema (`#`, `#/definitions/x`, `#/$defs/x`). */
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  $defs?: Record<string, SchemaNode>;
  /** Which kind of media this string (or each item of this array) references: from its format or its rules. */
  "x-media"?: MediaKind;
  /** The parsed `validations` rules of this property, in words for docs (the data lives in RuleTarget). */
  "x-rules"?: Rule[];
}

export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

export type { Note, NoteSeverity } from "../shared/notes.js";

/** The property names an input object declares, at a data path (`*`: each array item). */
export interface KnownProperties {
  path: string[];
  names: string[];
}

export interface NormalizedSchema {
  schema: SchemaNode;
  ruleTargets: RuleTarget[];
  /** Objects whose keys are all known (no additionalProperties, patternProperties…): a key outside is unknown. */
  knownProperties: KnownProperties[];
  notes: Note[];
}

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
/** Those of them that apply to numbers (OpenAPI's int32, int64, float, double). */
export const NUMBER_FORMATS: readonly string[] = STANDARD_FORMATS.filter((name) => typeof formats[name] === "object");
export const FORMAT_ALIASES: Readonly<Record<string, string>> = Object.freeze({ url: "uri" });

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
    const format = (s: Record<string, unknown>) =>
      s.type === "array" ? (isPlainObject(s.items) ? s.items.format : undefined) : s.format;
    return (
      format(p) === format(g) &&
      Object.keys(p).every((k) => ["type", "format", "description", "title", "items"].includes(k))
    );
  });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What one normalization run collects while walking a schema. */
export interface Ctx {
  file: string;
  /** The schema whose `#` a local `$ref` means: the input (or output) schema itself. */
  root: unknown;
  /** Pointer of `root` in the file. */
  rootPointer: string;
  /** draft-07 (default) or 2020-12 (from the root's `$schema`): how `$ref` siblings and `items` read. */
  draft: "draft-07" | "2020-12";
  notes: Note[];
  ruleTargets: RuleTarget[];
  known: Map<string, { path: string[]; names: Set<string> | null }>;
  /** Errors of sub-schemas: collected so one run reports every problem, not only the first. */
  errors: SchemaFileError[];
}

/** Records a note; its severity comes from the registry (notes.ts). */
export function note(ctx: Ctx, code: NoteCode, pointer: string, message: string) {
  ctx.notes.push(makeNote(code, pointer, message));
}

/**
 * Normalizes one schema (a boolean or an object) by running the rules in order. `dataPath` is where
 * the values it describes sit in an input (`*`: each array item), or null where that is not one
 * place (definitions, tuple items): rules and known properties are bound to data paths.
 */
export function normalizeNode(raw: unknown, pointer: string, ctx: Ctx, dataPath: string[] | null): SchemaNode {
  const n: NodeContext = {
    raw: raw as Record<string, unknown>,
    out: {},
    pointer,
    ctx,
    dataPath,
    done: false,
    child: (value, at, path) => normalizeChild(value, at, ctx, path),
  };
  for (const rule of NORMALIZER_RULES) {
    rule.apply(n);
    if (n.done) break;
  }
  return n.out;
}

/** Normalizes a child schema; its error is recorded and a placeholder keeps the walk going. */
function normalizeChild(raw: unknown, pointer: string, ctx: Ctx, dataPath: string[] | null): SchemaNode {
  try {
    return normalizeNode(raw, pointer, ctx, dataPath);
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    ctx.errors.push(e);
    return {};
  }
}

function newCtx(file: string, root: unknown, rootPointer: string): Ctx {
  const declared = isPlainObject(root) && typeof root.$schema === "string" ? root.$schema : "";
  const draft = /2019-09|2020-12/.test(declared) ? "2020-12" : "draft-07";
  return { file, root, rootPointer, draft, notes: [], ruleTargets: [], known: new Map(), errors: [] };
}

/** Throws the collected errors, with the schema as far as it could be read (for the lint checks). */
function finish(ctx: Ctx, partial: SchemaNode): KnownProperties[] {
  if (ctx.errors.length) throw new SchemaErrors(ctx.errors, ctx.notes, partial);
  return [...ctx.known.values()].filter((k) => k.names).map((k) => ({ path: k.path, names: [...k.names!] }));
}

/** The root of a request body or result is an object: a typeless root that says so is typed so. */
function objectRoot(schema: SchemaNode, raw: Record<string, unknown>, at: string, ctx: Ctx, what: string): void {
  if (schema.type === undefined && (isPlainObject(raw.properties) || Array.isArray(raw.required)) && !schema.$ref) {
    schema.type = "object";
    note(ctx, "inferred-type", at, `no type given; the ${what} schema has properties, so it describes an object`);
  }
  const t = schema.type;
  if (!ctx.errors.length && t !== "object" && !(Array.isArray(t) && t.length === 1 && t[0] === "object")) {
    ctx.errors.push(
      new SchemaFileError(
        ctx.file,
        at,
        `the ${what} schema must describe an object (got type ${JSON.stringify(t)})`,
        "schema-shape",
      ),
    );
  }
  delete schema.title; // The root title is docs-page chrome in the page's language: never a name.
}

/**
 * Normalize the input schema of a model. `pointer` is where the schema sits in its file
 * (`/input_schema`), so every message points into the file.
 */
export function normalizeInputSchema(raw: unknown, file: string, pointer = "/input_schema"): NormalizedSchema {
  if (!isPlainObject(raw))
    throw new SchemaErrors([new SchemaFileError(file, pointer, "the input schema must be an object", "schema-shape")]);
  const ctx = newCtx(file, raw, pointer);
  const schema = normalizeChild(raw, pointer, ctx, []);
  objectRoot(schema, raw, pointer, ctx, "input");
  const knownProperties = finish(ctx, schema);
  return { schema, ruleTargets: ctx.ruleTargets, knownProperties, notes: ctx.notes };
}

/**
 * Normalize the output schema. Missing or null means RunComfy's generic output; the docs print it
 * wrapped as `{"output": {…}}`, which is unwrapped here.
 */
export function normalizeOutputSchema(
  raw: unknown,
  file: string,
  pointer = "/output_schema",
): NormalizedSchema & { generic: boolean } {
  const notes: Note[] = [];
  let generic = false;
  let node = raw;
  let at = pointer;
  if (node === null || node === undefined) {
    generic = true;
    node = genericOutputSchema();
    notes.push(
      makeNote(
        "generic-output",
        pointer,
        "no output schema: RunComfy's generic output (image, images, video, videos, audio, audios) applies",
      ),
    );
  } else if (
    isPlainObject(node) &&
    Object.keys(node).length === 1 &&
    hasOwn(node, "output") &&
    isPlainObject(node.output)
  ) {
    node = node.output;
    at = joinPointer(pointer, "output");
  }
  if (!isPlainObject(node))
    throw new SchemaErrors([
      new SchemaFileError(file, pointer, "the output schema must be an object or null", "schema-shape"),
    ]);
  if (!generic && isGenericOutputShape(node)) {
    // The docs print the generic output with descriptions in the page's language: use the canonical one.
    generic = true;
    node = genericOutputSchema();
    notes.push(
      makeNote(
        "generic-output",
        at,
        "output schema is RunComfy's generic output (image, images, video, videos; audio, audios accepted too)",
      ),
    );
  }
  const ctx = newCtx(file, node, at);
  ctx.notes.push(...notes);
  const schema = normalizeChild(node, at, ctx, []);
  objectRoot(schema, node as Record<string, unknown>, at, ctx, "output");
  finish(ctx, schema);
  if (ctx.ruleTargets.length)
    note(ctx, "rules-on-output", at, "validations in the output schema are ignored: rules apply to inputs");
  return { schema, ruleTargets: [], knownProperties: [], notes: ctx.notes, generic };
}
