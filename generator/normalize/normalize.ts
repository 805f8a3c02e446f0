/**
 * Stage 2 — normalize: turns one captured RunComfy schema (quirks included) into clean JSON Schema
 * (draft 2020-12 form: tuples as `prefixItems`), plus side tables — the `validations` rules, the
 * property names each input object declares — and a list of notes (what was changed, and why).
 * The work is a table of named rules run in order on each schema node (rules/index.ts, one file per rule).
 * Pure: no I/O; a `$ref` is resolved only inside the same schema. Anything it cannot place is a
 * SchemaFileError naming the file and JSON pointer.
 */
import { joinPointer } from "../runtime/json-pointer.js";
import { SchemaErrors, SchemaFileError, hasOwn, noteOf } from "../shared/errors.js";
import { makeNote, type Note } from "../shared/notes.js";
import { type Ctx, note } from "./context.js";
import { genericOutputSchema, isGenericOutputShape } from "./generic-output.js";
import { NORMALIZER_RULES, type NodeContext } from "./rules/index.js";
import { type KnownProperties, type NormalizedSchema, type SchemaNode, isPlainObject } from "../ir/schema-node.js";

// This module is the stage's entry: what other stages read of it is re-exported here.
export type { Note, NoteSeverity } from "../shared/notes.js";
export { MEDIA_FORMATS, STANDARD_FORMATS } from "./vocabulary.js";

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

/** One schema's normalization: the result, or (when it failed) the schema as far as it could be read. */
export interface NormalizeOutcome<T extends NormalizedSchema> {
  result?: T;
  /** What could be read of a schema that failed, for lint's checks. */
  partial?: SchemaNode;
  /** Every note, the failure's errors included. */
  notes: Note[];
}

/** Both schemas of a loaded schema file, each collecting its errors as notes instead of stopping at the first. */
export function normalizeSchemaFile(loaded: { file: string; inputSchema: unknown; outputSchema: unknown }): {
  input: NormalizeOutcome<NormalizedSchema>;
  output: NormalizeOutcome<NormalizedSchema & { generic: boolean }>;
} {
  return {
    input: collect(() => normalizeInputSchema(loaded.inputSchema, loaded.file)),
    output: collect(() => normalizeOutputSchema(loaded.outputSchema, loaded.file)),
  };
}

function collect<T extends NormalizedSchema>(run: () => T): NormalizeOutcome<T> {
  try {
    const result = run();
    return { result, notes: result.notes };
  } catch (e) {
    if (!(e instanceof SchemaErrors)) throw e;
    return { partial: e.partial as SchemaNode | undefined, notes: [...e.notes, ...e.errors.map(noteOf)] };
  }
}
