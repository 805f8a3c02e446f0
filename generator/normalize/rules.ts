/**
 * The normalizer's rules: one per RunComfy quirk or JSON Schema keyword, run in this order on every
 * schema node (like json-schema-to-typescript's src/normalizer.ts). Each rule names the keywords it
 * reads; a keyword no rule names is not JSON Schema and is dropped with a warning (the last rule).
 * Every rule has a given/want fixture in test/normalizer/<rule name>/.
 */
import { decodePointerToken, joinPointer } from "../runtime/json-pointer.js";
import { SchemaFileError, hasOwn, setOwn } from "../shared/errors.js";
import {
  FORMAT_ALIASES,
  JSON_TYPES,
  MEDIA_FORMATS,
  MEDIA_LIST_FORMATS,
  STANDARD_FORMATS,
  TYPE_ALIASES,
  isPlainObject,
  note,
  type Ctx,
  type JsonType,
  type SchemaNode,
} from "./normalize.js";
import { parseNumeric, parseRule } from "./rule-parser.js";
import type { NoteCode } from "../shared/notes.js";

/** One node being normalized: the captured node (read only) and the clean one being built. */
export interface NodeContext {
  raw: Record<string, unknown>;
  out: SchemaNode;
  pointer: string;
  ctx: Ctx;
  /** Where the node's values sit in an input (`*`: each array item); null where not one place. */
  dataPath: string[] | null;
  /** Set by a rule that has finished the node (a boolean schema): later rules do not run. */
  done: boolean;
  /** A plural media format moves to the items: the format each item gets. */
  itemsFormat?: string;
  child(raw: unknown, pointer: string, dataPath: string[] | null): SchemaNode;
}

export interface NormalizerRule {
  name: string;
  /** The keywords of a captured node this rule reads (and so the normalizer knows). */
  keywords: readonly string[];
  apply(n: NodeContext): void;
}

const NUMERIC_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const;
const COUNT_KEYWORDS = [
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minContains",
  "maxContains",
] as const;
/** Keywords that only document, or that ajv reads as annotations: kept for docs where useful, never validated. */
const ANNOTATIONS = [
  "title",
  "description",
  "examples",
  "example",
  "$comment",
  "readOnly",
  "writeOnly",
  "deprecated",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
  "$schema",
  "$id",
  "x-redos-accepted",
] as const;

const fail = (n: NodeContext, at: string, message: string, ruleId: NoteCode): never => {
  throw new SchemaFileError(n.ctx.file, at, message, ruleId);
};
const at = (n: NodeContext, ...keys: (string | number)[]) => joinPointer(n.pointer, ...keys);
const has = (n: NodeContext, key: string) => hasOwn(n.raw, key);
export const hasType = (t: SchemaNode["type"], name: JsonType) => (Array.isArray(t) ? t.includes(name) : t === name);

/** Whether a JSON value is of a JSON Schema type. */
export function isOfType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "integer":
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

/** A value that should be a number may arrive as a numeric string; convert it and say so. */
function coerceToType(
  value: unknown,
  type: SchemaNode["type"],
  pointer: string,
  n: NodeContext,
  what: string,
): unknown {
  if (typeof value === "string" && (hasType(type, "number") || hasType(type, "integer")) && !hasType(type, "string")) {
    const num = parseNumeric(value);
    if (num !== undefined) {
      note(
        n.ctx,
        "numeric-string",
        pointer,
        `${what} ${JSON.stringify(value)} is a string where a number belongs; read as ${num}`,
      );
      return num;
    }
  }
  if (
    typeof value === "string" &&
    hasType(type, "boolean") &&
    !hasType(type, "string") &&
    (value === "true" || value === "false")
  ) {
    note(
      n.ctx,
      "boolean-string",
      pointer,
      `${what} ${JSON.stringify(value)} is a string where a boolean belongs; read as ${value}`,
    );
    return value === "true";
  }
  if (typeof value === "number" && !Number.isFinite(value))
    fail(n, pointer, `${what} is not a finite number`, "bad-number");
  return value;
}

/** An enum or const value the declared type can never accept: the type says one thing, the validator another. */
function checkValueType(n: NodeContext, value: unknown, pointer: string, what: string): void {
  const t = n.out.type;
  if (t === undefined) return;
  const types = Array.isArray(t) ? t : [t];
  if (!types.some((type) => isOfType(value, type))) {
    n.ctx.errors.push(
      new SchemaFileError(
        n.ctx.file,
        pointer,
        `${what} ${JSON.stringify(value)} is not of the declared type ${types.join(" or ")}: no input can ever have it — fix the type or the value`,
        "enum-type-mismatch",
      ),
    );
  }
}

const listOfSchemas = (n: NodeContext, key: string): unknown[] => {
  const list = n.raw[key];
  if (!Array.isArray(list) || !list.length)
    fail(n, at(n, key), `${key} must be a non-empty array of schemas`, "schema-shape");
  return list as unknown[];
};
const mapOfSchemas = (
  n: NodeContext,
  key: string,
  dataPath: (name: string) => string[] | null,
): Record<string, SchemaNode> => {
  const map = n.raw[key];
  if (!isPlainObject(map)) fail(n, at(n, key), `${key} must be an object of schemas`, "schema-shape");
  const out: Record<string, SchemaNode> = {};
  for (const name of Object.keys(map as object))
    setOwn(out, name, n.child((map as Record<string, unknown>)[name], at(n, key, name), dataPath(name)));
  return out;
};
const namesList = (n: NodeContext, value: unknown, pointer: string, what: string): string[] => {
  if (!Array.isArray(value) || value.some((r) => typeof r !== "string"))
    fail(n, pointer, `${what} must be an array of property names`, "schema-shape");
  return [...new Set(value as string[])];
};
const below = (n: NodeContext, ...keys: string[]) => (n.dataPath ? [...n.dataPath, ...keys] : null);

/**
 * Records the property names an object declares at its data path, for unknown-property warnings. An
 * object that admits other keys (additionalProperties, patternProperties, a $ref whose target is not
 * walked here) makes every name at its path known: warn less, never refuse.
 */
function recordKnown(n: NodeContext): void {
  const o = n.out;
  if (!n.dataPath) return;
  const open =
    o.$ref !== undefined ||
    o.additionalProperties !== undefined ||
    o.patternProperties !== undefined ||
    o.unevaluatedProperties !== undefined;
  if (!open && !o.properties) return;
  const key = JSON.stringify(n.dataPath);
  const entry = n.ctx.known.get(key) ?? { path: n.dataPath, names: new Set<string>() };
  if (open) entry.names = null;
  else if (entry.names)
    for (const name of [...Object.keys(o.properties ?? {}), ...(o.required ?? [])]) entry.names.add(name);
  n.ctx.known.set(key, entry);
}

export const NORMALIZER_RULES: readonly NormalizerRule[] = [
  {
    name: "boolean-schema",
    keywords: [],
    apply(n) {
      // `true` accepts anything, `false` nothing: as objects, so every consumer sees one shape.
      if (typeof n.raw === "boolean") {
        n.out = n.raw ? {} : { not: {} };
        n.done = true;
      } else if (!isPlainObject(n.raw)) fail(n, n.pointer, "a schema must be an object or a boolean", "schema-shape");
    },
  },
  {
    name: "ref",
    keywords: ["$ref", "definitions", "$defs"],
    apply(n) {
      for (const key of ["definitions", "$defs"] as const)
        if (has(n, key)) n.out[key] = mapOfSchemas(n, key, () => null);
      if (!has(n, "$ref")) return;
      const ref = n.raw.$ref;
      if (typeof ref !== "string") fail(n, at(n, "$ref"), "$ref must be a string", "schema-shape");
      if (!(ref as string).startsWith("#")) {
        fail(
          n,
          at(n, "$ref"),
          `$ref ${JSON.stringify(ref)} points outside this schema: remote and file references are never fetched or read — copy the definition into "definitions" and refer to it as "#/definitions/<name>"`,
          "remote-ref",
        );
      }
      if (!resolvePointer(n.ctx.root, (ref as string).slice(1)))
        fail(
          n,
          at(n, "$ref"),
          `$ref ${JSON.stringify(ref)} does not resolve inside this schema (pointers start at the ${n.ctx.rootPointer} object)`,
          "bad-ref",
        );
      n.out.$ref = "#" + tupleRefPointer(n.ctx.root, (ref as string).slice(1));
      if (n.ctx.draft === "draft-07") {
        // draft-07: a $ref's siblings are ignored. Only annotations and definitions are kept.
        const ignored = Object.keys(n.raw).filter(
          (k) => !["$ref", "definitions", "$defs", ...ANNOTATIONS, "default"].includes(k),
        );
        for (const key of ignored)
          note(
            n.ctx,
            "ref-sibling-ignored",
            at(n, key),
            `${JSON.stringify(key)} beside $ref is ignored (draft-07); put both in an allOf to apply it`,
          );
        n.raw = Object.fromEntries(Object.entries(n.raw).filter(([k]) => !ignored.includes(k)));
      }
    },
  },
  {
    name: "unsupported-keyword",
    keywords: ["$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary"],
    apply(n) {
      for (const key of this.keywords)
        if (has(n, key))
          fail(
            n,
            at(n, key),
            `${key} is not supported: refer to definitions with a local "$ref": "#/definitions/<name>"`,
            "unsupported-keyword",
          );
      if (has(n, "$id") && n.pointer !== n.ctx.rootPointer)
        fail(
          n,
          at(n, "$id"),
          "$id inside a schema is not supported: it changes what every $ref below means; remove it",
          "unsupported-keyword",
        );
    },
  },
  {
    name: "type",
    keywords: ["type", "nullable"],
    apply(n) {
      let type = resolveType(n);
      if (n.raw.nullable === true && type !== undefined) {
        type = [...new Set([...(Array.isArray(type) ? type : [type]), "null" as JsonType])];
        note(n.ctx, "nullable", at(n, "nullable"), "OpenAPI `nullable: true` read as a union with null");
      }
      if (type !== undefined) n.out.type = type;
    },
  },
  {
    name: "media-format-type",
    keywords: [],
    apply(n) {
      // RunComfy writes media properties without a type: a media format says string, a plural one array.
      const f = n.raw.format;
      if (n.out.type !== undefined || typeof f !== "string" || n.raw.$ref !== undefined) return;
      const type = hasOwn(MEDIA_FORMATS, f) ? "string" : hasOwn(MEDIA_LIST_FORMATS, f) ? "array" : undefined;
      if (!type) return;
      n.out.type = type;
      note(n.ctx, "inferred-type", n.pointer, `no type given; format ${JSON.stringify(f)} says ${type}`);
    },
  },
  {
    name: "annotations",
    keywords: ANNOTATIONS,
    apply(n) {
      if (typeof n.raw.title === "string") n.out.title = n.raw.title;
      if (typeof n.raw.description === "string") {
        if (n.raw.description.trim() !== "") n.out.description = n.raw.description;
        else note(n.ctx, "empty-description", at(n, "description"), "empty description dropped");
      }
      if (Array.isArray(n.raw.examples)) n.out.examples = n.raw.examples;
      if (has(n, "$id"))
        note(n.ctx, "root-id", at(n, "$id"), "$id of the root schema is not used: $refs resolve inside this schema");
    },
  },
  {
    name: "numeric-limits",
    keywords: [...NUMERIC_KEYWORDS, ...COUNT_KEYWORDS],
    apply(n) {
      // Captured schemas sometimes write limits as strings.
      for (const key of this.keywords) {
        if (!has(n, key)) continue;
        const where = at(n, key);
        const num = parseNumeric(n.raw[key]);
        if (num === undefined)
          fail(n, where, `${key} must be a number, got ${JSON.stringify(n.raw[key])}`, "bad-number");
        if (typeof n.raw[key] === "string")
          note(n.ctx, "numeric-string", where, `${key} ${JSON.stringify(n.raw[key])} is a string; read as ${num}`);
        if ((COUNT_KEYWORDS as readonly string[]).includes(key) && (!Number.isInteger(num) || num! < 0))
          fail(n, where, `${key} must be a non-negative integer, got ${num}`, "bad-number");
        if (key === "multipleOf" && num! <= 0)
          fail(n, where, `multipleOf must be greater than 0, got ${num}`, "bad-number");
        (n.out as Record<string, unknown>)[key] = num;
      }
    },
  },
  {
    name: "pattern",
    keywords: ["pattern"],
    apply(n) {
      if (!has(n, "pattern")) return;
      n.out.pattern = checkPattern(n, n.raw.pattern, at(n, "pattern"));
    },
  },
  {
    name: "unique-items",
    keywords: ["uniqueItems"],
    apply(n) {
      if (!has(n, "uniqueItems")) return;
      if (typeof n.raw.uniqueItems !== "boolean")
        fail(n, at(n, "uniqueItems"), "uniqueItems must be true or false", "schema-shape");
      n.out.uniqueItems = n.raw.uniqueItems as boolean;
    },
  },
  {
    name: "format",
    keywords: ["format"],
    apply(n) {
      // Media formats mark media inputs; plural forms go on arrays' items (with or without `items`).
      if (!has(n, "format")) return;
      const where = at(n, "format");
      const format = n.raw.format;
      if (typeof format !== "string") return fail(n, where, "format must be a string", "bad-format");
      const isArray = hasType(n.out.type, "array");
      if (hasOwn(MEDIA_FORMATS, format) || hasOwn(MEDIA_LIST_FORMATS, format)) {
        const kind = MEDIA_FORMATS[format] ?? MEDIA_LIST_FORMATS[format];
        const singular = `${kind}_uri`;
        n.out["x-media"] = kind;
        if (isArray) {
          if (hasOwn(MEDIA_FORMATS, format))
            note(n.ctx, "format-on-array", where, `format ${JSON.stringify(format)} on an array applies to each item`);
          else if (has(n, "items"))
            // Said even though nothing is lost: the format is dropped from the array and each item gets the singular one.
            note(
              n.ctx,
              "format-plural-on-items-array",
              where,
              `plural format ${JSON.stringify(format)} on an array with items; each item is read as ${JSON.stringify(singular)}`,
            );
          n.itemsFormat = singular;
        } else {
          if (hasOwn(MEDIA_LIST_FORMATS, format))
            note(
              n.ctx,
              "format-plural-on-string",
              where,
              `plural format ${JSON.stringify(format)} on a single value; read as ${JSON.stringify(singular)}`,
            );
          n.out.format = singular;
        }
      } else if (STANDARD_FORMATS.includes(format) || hasOwn(FORMAT_ALIASES, format)) {
        const f = hasOwn(FORMAT_ALIASES, format) ? FORMAT_ALIASES[format] : format;
        if (isArray && n.out.type === "array") n.itemsFormat = f;
        else n.out.format = f;
      } else {
        note(
          n.ctx,
          "unknown-format",
          where,
          `format ${JSON.stringify(format)} is not known; values are not checked against it`,
        );
      }
    },
  },
  {
    name: "enum",
    keywords: ["enum"],
    apply(n) {
      if (!has(n, "enum")) return;
      const where = at(n, "enum");
      if (!Array.isArray(n.raw.enum) || n.raw.enum.length === 0)
        return fail(n, where, "enum must be a non-empty array", "bad-enum");
      const values = n.raw.enum.map((v, i) => coerceToType(v, n.out.type, joinPointer(where, i), n, "enum value"));
      // Duplicates mean nothing in JSON Schema but make validators refuse the schema: keep the first.
      const seen = new Set<string>();
      n.out.enum = values.filter((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) {
          note(
            n.ctx,
            "duplicate-enum",
            joinPointer(where, i),
            `enum value ${key} is listed twice; the duplicate is ignored — remove it`,
          );
          return false;
        }
        seen.add(key);
        checkValueType(n, v, joinPointer(where, i), "enum value");
        return true;
      });
    },
  },
  {
    name: "const",
    keywords: ["const"],
    apply(n) {
      if (!has(n, "const")) return;
      n.out.const = coerceToType(n.raw.const, n.out.type, at(n, "const"), n, "const");
      checkValueType(n, n.out.const, at(n, "const"), "const");
    },
  },
  {
    name: "default",
    keywords: ["default"],
    apply(n) {
      if (has(n, "default")) n.out.default = coerceToType(n.raw.default, n.out.type, at(n, "default"), n, "default");
    },
  },
  {
    name: "items",
    keywords: ["items", "additionalItems", "prefixItems", "contains", "unevaluatedItems"],
    apply(n) {
      normalizeItems(n);
      if (has(n, "contains")) n.out.contains = n.child(n.raw.contains, at(n, "contains"), null);
      if (has(n, "unevaluatedItems")) n.out.unevaluatedItems = boolOrSchema(n, "unevaluatedItems", null);
    },
  },
  {
    name: "properties",
    keywords: [
      "properties",
      "required",
      "additionalProperties",
      "patternProperties",
      "propertyNames",
      "unevaluatedProperties",
    ],
    apply(n) {
      if (has(n, "properties")) n.out.properties = mapOfSchemas(n, "properties", (name) => below(n, name));
      if (has(n, "required")) {
        const required = namesList(n, n.raw.required, at(n, "required"), "required");
        required.forEach((name) => {
          // A required name beside properties that lack it is likely a slip; alone (allOf branches,
          // dependencies) it is how JSON Schema says "must be present".
          if (n.out.properties && !hasOwn(n.out.properties, name)) {
            note(
              n.ctx,
              "required-missing-property",
              at(n, "required", (n.raw.required as string[]).indexOf(name)),
              `required property ${JSON.stringify(name)} is not in properties: it is enforced and typed as unknown — describe it in properties`,
            );
          }
        });
        if (required.length) n.out.required = required;
      }
      if (has(n, "additionalProperties")) n.out.additionalProperties = boolOrSchema(n, "additionalProperties", null);
      if (has(n, "patternProperties")) {
        for (const pattern of Object.keys(n.raw.patternProperties as object))
          checkPattern(n, pattern, at(n, "patternProperties", pattern));
        n.out.patternProperties = mapOfSchemas(n, "patternProperties", () => null);
      }
      if (has(n, "propertyNames")) n.out.propertyNames = n.child(n.raw.propertyNames, at(n, "propertyNames"), null);
      if (has(n, "unevaluatedProperties")) n.out.unevaluatedProperties = boolOrSchema(n, "unevaluatedProperties", null);
      recordKnown(n);
    },
  },
  {
    name: "dependencies",
    keywords: ["dependencies", "dependentRequired", "dependentSchemas"],
    apply(n) {
      if (has(n, "dependentRequired")) {
        const map = n.raw.dependentRequired;
        if (!isPlainObject(map))
          return fail(
            n,
            at(n, "dependentRequired"),
            "dependentRequired must be an object of property-name lists",
            "schema-shape",
          );
        const out: Record<string, string[]> = {};
        for (const key of Object.keys(map))
          setOwn(out, key, namesList(n, map[key], at(n, "dependentRequired", key), "each dependentRequired value"));
        n.out.dependentRequired = out;
      }
      if (has(n, "dependentSchemas")) n.out.dependentSchemas = mapOfSchemas(n, "dependentSchemas", () => n.dataPath);
      if (has(n, "dependencies")) {
        const map = n.raw.dependencies;
        if (!isPlainObject(map))
          return fail(n, at(n, "dependencies"), "dependencies must be an object", "schema-shape");
        const out: Record<string, SchemaNode | string[]> = {};
        for (const key of Object.keys(map)) {
          const where = at(n, "dependencies", key);
          setOwn(
            out,
            key,
            Array.isArray(map[key])
              ? namesList(n, map[key], where, "a dependencies list")
              : n.child(map[key], where, n.dataPath),
          );
        }
        n.out.dependencies = out;
      }
    },
  },
  {
    name: "combinators",
    keywords: ["anyOf", "oneOf", "allOf", "not", "if", "then", "else"],
    apply(n) {
      for (const key of ["anyOf", "oneOf", "allOf"] as const) {
        if (has(n, key)) n.out[key] = listOfSchemas(n, key).map((s, i) => n.child(s, at(n, key, i), n.dataPath));
      }
      if (has(n, "not")) n.out.not = n.child(n.raw.not, at(n, "not"), null);
      for (const key of ["if", "then", "else"] as const)
        if (has(n, key)) n.out[key] = n.child(n.raw[key], at(n, key), n.dataPath);
    },
  },
  {
    name: "validations",
    keywords: ["validations"],
    apply(n) {
      // RunComfy's media rules go to the side table the runtime evaluates after probing the media.
      if (!has(n, "validations")) return;
      const where = at(n, "validations");
      if (!Array.isArray(n.raw.validations)) return fail(n, where, "validations must be an array of rules", "bad-rule");
      const rules = n.raw.validations.map((entry, i) => {
        const rule = parseRule(entry);
        if (rule.kind === "unchecked")
          note(n.ctx, rule.code, joinPointer(where, i), `rule cannot be checked: ${rule.reason}`);
        return rule;
      });
      const onArray = hasType(n.out.type, "array");
      const target = onArray ? n.out.items : n.out;
      if (!target || !hasType(target.type, "string")) {
        note(
          n.ctx,
          "rule-on-non-media",
          where,
          "validations on a property that is not a media URL (string or array of strings): each rule is reported as unchecked at validation time",
        );
      }
      const media = target?.["x-media"] ?? null;
      if (!media && rules.some((r) => r.kind === "checked"))
        note(n.ctx, "media-from-rules", where, "no media format; the property's rules say it references media");
      if (!rules.length) return;
      n.out["x-rules"] = rules;
      if (!n.dataPath)
        note(
          n.ctx,
          "rule-unreachable",
          where,
          "validations here (inside definitions, a tuple or a pattern) do not sit at one input path and are not checked",
        );
      else n.ctx.ruleTargets.push({ path: onArray ? [...n.dataPath, "*"] : n.dataPath, media, rules });
    },
  },
  {
    name: "unknown-keyword",
    keywords: [],
    apply(n) {
      for (const key of Object.keys(n.raw)) {
        if (!HANDLED_KEYWORDS.has(key))
          note(
            n.ctx,
            "unknown-keyword",
            at(n, key),
            `keyword ${JSON.stringify(key)} is not JSON Schema and is ignored`,
          );
      }
    },
  },
];

/** Every keyword some rule reads: derived from the table. */
export const HANDLED_KEYWORDS: ReadonlySet<string> = new Set(NORMALIZER_RULES.flatMap((r) => r.keywords));

function resolveType(n: NodeContext): JsonType | JsonType[] | undefined {
  const t = n.raw.type;
  const one = (name: unknown, where: string): JsonType => {
    if (typeof name !== "string")
      return fail(n, where, `type must be a string, got ${JSON.stringify(name)}`, "unknown-type");
    if ((JSON_TYPES as readonly string[]).includes(name)) return name as JsonType;
    const alias = hasOwn(TYPE_ALIASES, name.toLowerCase())
      ? TYPE_ALIASES[name.toLowerCase()]
      : (JSON_TYPES as readonly string[]).includes(name.toLowerCase())
        ? (name.toLowerCase() as JsonType)
        : undefined;
    if (alias) {
      note(
        n.ctx,
        "normalized-type",
        where,
        `type ${JSON.stringify(name)} is not JSON Schema; read as ${JSON.stringify(alias)}`,
      );
      return alias;
    }
    return fail(
      n,
      where,
      `unknown type ${JSON.stringify(name)} (expected one of ${JSON_TYPES.join(", ")}, or float/int/bool)`,
      "unknown-type",
    );
  };
  if (t === undefined) return undefined;
  if (Array.isArray(t)) {
    if (!t.length) fail(n, at(n, "type"), "type is an empty list", "unknown-type");
    const types = [...new Set(t.map((x, i) => one(x, at(n, "type", i))))];
    return types.length === 1 ? types[0] : types;
  }
  return one(t, at(n, "type"));
}

function checkPattern(n: NodeContext, pattern: unknown, where: string): string {
  if (typeof pattern !== "string") return fail(n, where, "pattern must be a string", "bad-pattern");
  try {
    new RegExp(pattern, "u");
  } catch (e) {
    fail(n, where, `pattern is not a valid regular expression: ${(e as Error).message}`, "bad-pattern");
  }
  return pattern;
}

function boolOrSchema(n: NodeContext, key: string, dataPath: string[] | null): boolean | SchemaNode {
  const value = n.raw[key];
  if (typeof value === "boolean") return value;
  if (!isPlainObject(value)) return fail(n, at(n, key), `${key} must be a boolean or a schema`, "schema-shape");
  return n.child(value, at(n, key), dataPath);
}

/** `items` (a schema, or draft-07's tuple array with `additionalItems`) and `prefixItems`, in 2020-12 form. */
function normalizeItems(n: NodeContext): void {
  const { raw, out } = n;
  const tupleForm = Array.isArray(raw.items);
  if (has(n, "prefixItems") && tupleForm)
    fail(n, at(n, "items"), "items is a list beside prefixItems: use one tuple form", "schema-shape");
  const tuple = tupleForm
    ? { key: "items", rest: "additionalItems" }
    : has(n, "prefixItems")
      ? { key: "prefixItems", rest: "items" }
      : undefined;
  if (tuple) {
    const list = raw[tuple.key];
    if (!Array.isArray(list))
      return void fail(n, at(n, tuple.key), `${tuple.key} must be an array of schemas`, "schema-shape");
    out.prefixItems = list.map((s, i) => n.child(s, at(n, tuple.key, i), null));
    if (has(n, tuple.rest)) out.items = n.child(raw[tuple.rest], at(n, tuple.rest), below(n, "*"));
    return;
  }
  if (has(n, "additionalItems"))
    note(
      n.ctx,
      "additional-items-ignored",
      at(n, "additionalItems"),
      "additionalItems applies only after a tuple `items` list; here it has no effect",
    );
  if (has(n, "items")) {
    const where = at(n, "items");
    const itemsRaw = typeof raw.items === "boolean" ? raw.items : { ...(raw.items as Record<string, unknown>) };
    if (n.itemsFormat && isPlainObject(itemsRaw) && itemsRaw.format === undefined) itemsRaw.format = n.itemsFormat;
    out.items = n.child(itemsRaw, where, below(n, "*"));
    if (
      n.itemsFormat &&
      isPlainObject(itemsRaw) &&
      out.items.format !== n.itemsFormat &&
      !(out.items.format === undefined && out["x-media"])
    ) {
      fail(
        n,
        joinPointer(where, "format"),
        `items format ${JSON.stringify(out.items.format)} conflicts with the array's format ${JSON.stringify(raw.format)}`,
        "bad-format",
      );
    }
    if (out["x-media"] && !out.items["x-media"] && isPlainObject(itemsRaw)) out.items["x-media"] = out["x-media"];
  } else if (hasType(out.type, "array") && n.itemsFormat) {
    out.items = { type: "string", format: n.itemsFormat };
    if (out["x-media"]) out.items["x-media"] = out["x-media"];
    note(
      n.ctx,
      "items-from-format",
      n.pointer,
      `array without items: each item is a string of format ${JSON.stringify(n.itemsFormat)}`,
    );
  }
}

/**
 * A pointer into the captured schema, as it reads in the normalized one: draft-07 tuple `items` are
 * `prefixItems` there, and their `additionalItems` is `items`.
 */
function tupleRefPointer(root: unknown, pointer: string): string {
  if (!pointer.startsWith("/")) return pointer;
  let node = root;
  const tokens = pointer.slice(1).split("/");
  return (
    "/" +
    tokens
      .map((token) => {
        const key = decodePointerToken(decodeURIComponent(token));
        const tuple = isPlainObject(node) && Array.isArray(node.items);
        node =
          node !== null && typeof node === "object" && hasOwn(node, key)
            ? (node as Record<string, unknown>)[key]
            : undefined;
        return tuple && key === "items" ? "prefixItems" : tuple && key === "additionalItems" ? "items" : token;
      })
      .join("/")
  );
}

/** The value a local `$ref` pointer (`/definitions/x`, or "" for the root) names in `root`, if any. */
export function resolvePointer(root: unknown, pointer: string): boolean {
  if (pointer === "") return true;
  if (!pointer.startsWith("/")) return false;
  let node = root;
  for (const token of pointer.slice(1).split("/")) {
    const key = decodePointerToken(decodeURIComponent(token));
    if (node === null || typeof node !== "object" || !hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined && (typeof node === "boolean" || isPlainObject(node));
}
