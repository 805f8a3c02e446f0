/**
 * The one place that compiles a normalized schema with ajv: emit (the shipped input validator's
 * standalone code), lint (examples and defaults checked) and the emulator (submits checked as the
 * service would) all take their instance from `newSchemaAjv`, so they agree on keywords, formats and
 * how data is read. The JSON Schema dialect of normalized schemas is draft 2020-12 (tuples as
 * prefixItems; draft-07 schemas are read into it by the normalizer), so every compile uses ajv's 2020
 * keywords. ajv is CommonJS: under NodeNext its default exports arrive as module objects. One place
 * unwraps them.
 */
import type { CodeOptions, Format, ValidateFunction } from "ajv";
import AjvModule from "ajv/dist/2020.js";
import Ajv07Module from "ajv";
import CoreModule from "ajv/dist/core.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import draft2020Module from "ajv/dist/vocabularies/draft2020.js";
import dynamicModule from "ajv/dist/vocabularies/dynamic/index.js";
import unevaluatedModule from "ajv/dist/vocabularies/unevaluated/index.js";
import { _ } from "ajv/dist/compile/codegen/index.js";
import { mapSchema, shapeOf, type SchemaNode } from "../ir/schema-node.js";
import { formats } from "../runtime/validation/formats.js";

const unwrap = <T>(m: T): T => ((m as { default?: T }).default ?? m) as T;

export const AjvClass = unwrap(AjvModule) as unknown as typeof AjvModule.default;
export type AjvInstance = InstanceType<typeof AjvClass>;
/** ajv's draft-07 class, for the project's own draft-07 documents (the config file's schema). */
export const Ajv07Class = unwrap(Ajv07Module) as unknown as typeof Ajv07Module.default;
export const standaloneCode = unwrap(standaloneModule) as unknown as typeof standaloneModule.default;

const Core = unwrap(CoreModule) as unknown as typeof CoreModule.default;
const leanVocabularies = (unwrap(draft2020Module) as unknown as unknown[]).filter(
  (v) => v !== unwrap(dynamicModule) && v !== unwrap(unevaluatedModule),
);

/**
 * ajv's 2020 keywords without `unevaluated*` and `$dynamicRef`: with those on, every validator
 * carries bookkeeping of which properties and items were evaluated, read by nothing else. Used for
 * every schema that does not use them (the generator refuses `$dynamicRef`).
 */
export class LeanAjv2020 extends Core {
  constructor(opts: ConstructorParameters<typeof Core>[0] = {}) {
    super({ ...opts, next: true, unevaluated: false, dynamicRef: false });
  }
  override _addVocabularies(): void {
    super._addVocabularies();
    for (const v of leanVocabularies)
      this.addVocabulary(v as Parameters<InstanceType<typeof Core>["addVocabulary"]>[0]);
  }
}

/**
 * The schema ajv compiles: validating keywords only, so the compiled code stays small. ajv's
 * `properties` skips a property named `__proto__`; the same rule as a pattern on exactly that name is checked.
 */
export function validatorView(node: SchemaNode): Record<string, unknown> {
  const out = mapSchema(node, (keyword) => shapeOf(keyword) !== undefined, validatorView);
  const props = out.properties as Record<string, unknown> | undefined;
  // Media formats accept "" (RunComfy's docs send it for an unset media input); where a value must be given it may not be empty.
  for (const name of node.required ?? []) {
    const child = node.properties && Object.getOwnPropertyDescriptor(node.properties, name)?.value;
    if (child && isMediaString(child, child))
      mustNotBeEmpty(Object.getOwnPropertyDescriptor(props, name)?.value as Record<string, unknown>);
  }
  if (node.items && isMediaString(node.items, node)) mustNotBeEmpty(out.items as Record<string, unknown>);
  if (props && Object.hasOwn(props, "__proto__")) {
    const patterns: Record<string, unknown> = { ...(out.patternProperties as object | undefined) };
    const schema = Object.getOwnPropertyDescriptor(props, "__proto__")?.value;
    patterns["^__proto__$"] =
      patterns["^__proto__$"] === undefined ? schema : { allOf: [patterns["^__proto__$"], schema] };
    out.patternProperties = patterns;
    out.properties = Object.fromEntries(Object.entries(props).filter(([name]) => name !== "__proto__"));
  }
  return out;
}

/**
 * A string that takes media: a media format, or media rules on it (or, for an array's items, on the
 * array) without one, which the normalizer reads as media too (its media-from-rules note).
 */
function isMediaString(node: SchemaNode, rulesOn: SchemaNode): boolean {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (!types.includes("string") || types.includes("array")) return false;
  return !!node["x-media"] || !!rulesOn["x-rules"]?.some((r) => r.kind === "checked");
}

function mustNotBeEmpty(view: Record<string, unknown>): void {
  if (!(typeof view.minLength === "number" && view.minLength >= 1)) view.minLength = 1;
}

export type FormatChecks = Readonly<Record<string, Format>>;

export interface SchemaAjvOptions {
  /** Format checks by name; default the runtime's own (runtime/formats.ts), which the shipped validators call. */
  formats?: FormatChecks;
  /** ajv's own error messages (the emulator answers with them); the package writes its messages from keyword and params. */
  messages?: boolean;
  /**
   * Read only the data's own properties. Default true; emit turns it off for a schema that names no
   * member every object inherits (`namesInheritedMember`): the same verdicts on JSON, shorter code.
   */
  ownProperties?: boolean;
  /** Without `unevaluated*` and `$dynamicRef` (LeanAjv2020): for a schema that uses neither. */
  lean?: boolean;
  /** Standalone code options, for a validator whose code is printed (emit). */
  code?: CodeOptions;
}

/** An ajv instance for normalized schemas (their validator views). */
export function newSchemaAjv(options: SchemaAjvOptions = {}): AjvInstance {
  const Ajv = options.lean ? LeanAjv2020 : AjvClass;
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    // The normalizer already produced clean JSON Schema: skipping meta-schema validation makes
    // constructing one Ajv per model (needed for deterministic names) 9× cheaper.
    meta: false,
    validateSchema: false,
    messages: options.messages ?? false,
    // Never stricter than JSON Schema: a required name without a property schema, a tuple without a
    // rest rule, a then without if or a minContains without contains is valid and means what it says
    // (the normalizer has already dropped every keyword that is not JSON Schema, with a note).
    strictSchema: false,
    strictTypes: false,
    strictRequired: false,
    strictTuples: false,
    allowMatchingProperties: true,
    allowUnionTypes: true,
    unicodeRegExp: true,
    ownProperties: options.ownProperties ?? true,
    ...(options.code ? { code: options.code } : {}),
  }) as AjvInstance;
  for (const [name, check] of Object.entries(options.formats ?? formats)) ajv.addFormat(name, check);
  return ajv;
}

const INHERITED_NAMES = Object.getOwnPropertyNames(Object.prototype);

/**
 * Whether the schema may name a property every object inherits (`toString`, `constructor`, …). Then
 * the validator must read only the input's own properties (ajv `ownProperties`), or an optional
 * `toString` is read off Object.prototype and fails its check on every input. Inputs are JSON request
 * bodies: plain objects, whose only inherited names are Object.prototype's, so other schemas keep
 * ajv's shorter `data.x !== undefined` test. Conservative: any such string in the schema counts.
 */
function namesInheritedMember(schemaText: string): boolean {
  return INHERITED_NAMES.some((name) => schemaText.includes(JSON.stringify(name)));
}

/** Marker module the shipped validator's code `require`s for formats; emit rewrites it to the runtime's formats module. */
export const FORMATS_MARKER = "runcomfy-runtime:formats";

/** An input validator compiled by ajv in this process: the function, and the instance that holds its code. */
export interface CompiledInput {
  ajv: AjvInstance;
  validate: ValidateFunction;
}

/**
 * The input validator the package ships, compiled in this process: lint's example check runs it and
 * emit prints its standalone code, so each model's input schema is compiled once. The format checks
 * are the runtime's own (the shipped code calls the runtime's formats module by name, so the code is
 * the same whatever functions are given here). The last few compiles are kept, by schema object: a
 * model's schema is linted and emitted moments apart, and a bounded cache keeps memory flat.
 */
export function compileInputValidator(schema: SchemaNode): CompiledInput {
  const known = recentInputs.get(schema);
  if (known) return known;
  const view = validatorView(schema);
  const text = JSON.stringify(view);
  const ajv = newSchemaAjv({
    lean: !/"unevaluated(?:Properties|Items)":/.test(text),
    ownProperties: namesInheritedMember(text),
    code: { source: true, esm: true, lines: false, formats: _`require(${FORMATS_MARKER}).formats` },
  });
  const compiled = { ajv, validate: ajv.compile(view) };
  if (recentInputs.size >= RECENT_INPUTS) recentInputs.delete(recentInputs.keys().next().value!);
  recentInputs.set(schema, compiled);
  return compiled;
}

const recentInputs = new Map<SchemaNode, CompiledInput>();
/** More than the models a run works on at once (generate emits a few at a time). */
const RECENT_INPUTS = 32;
