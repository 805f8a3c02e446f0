/**
 * The one registry of note codes: every problem or change the pipeline reports (load, normalize,
 * the lint checks, generate, the SARIF rules) has a code here with its severity and a one-line
 * summary. Severity is decided here and nowhere else, so `lint` and `generate` cannot disagree.
 * A note carries its code as a field; messages never embed it.
 */

export type NoteSeverity = "error" | "warning" | "info";

export interface NoteCodeInfo {
  severity: NoteSeverity;
  /** What the code means, for SARIF rule descriptions and docs. */
  summary: string;
  /**
   * Rules the generated validator cannot check (their note is a warning): `--strict` makes these
   * errors, in `lint` and `generate` alike.
   */
  strictError?: boolean;
}

const error = (summary: string): NoteCodeInfo => ({ severity: "error", summary });
const warning = (summary: string, strictError = false): NoteCodeInfo =>
  strictError ? { severity: "warning", summary, strictError } : { severity: "warning", summary };
const info = (summary: string): NoteCodeInfo => ({ severity: "info", summary });

export const NOTE_CODES = {
  // Load: the file and its envelope.
  "invalid-json": error("The file is not valid JSON"),
  "invalid-utf8": error("The file is not valid UTF-8"),
  "duplicate-key": error("An object has the same key twice (JSON readers keep only the last)"),
  "too-deep": error("The file nests deeper than the generator accepts"),
  "too-large": error("The file, or a string in it, is larger than the generator accepts"),
  envelope: error("The file is not a schema file object with model_id and input_schema"),
  "missing-key": error("A required top-level key is missing"),
  "unexpected-key": error("A top-level key that schema files do not have"),
  "model-id": error("model_id is not a valid id"),
  "model-id-path": error("model_id does not match the file's path"),
  "duplicate-model-id": error("Two files define the same model id (ignoring case)"),
  // Normalize: what cannot be generated.
  "schema-shape": error("A schema keyword has the wrong shape"),
  "unknown-type": error("A type that is neither JSON Schema nor a known alias"),
  "enum-type-mismatch": error(
    "An enum or const value the declared type never accepts: the type and the validator would disagree",
  ),
  "remote-ref": error("A $ref outside the schema (remote or file): never fetched or read"),
  "bad-ref": error("A local $ref that does not resolve inside the schema"),
  "unsupported-keyword": error(
    "A JSON Schema keyword the generator does not support ($id below the root, $anchor, $dynamicRef…)",
  ),
  "bad-number": error("A numeric keyword that is not a usable number"),
  "bad-pattern": error("A pattern that is not a valid regular expression"),
  "redos-pattern": error(
    "A pattern whose matching time can grow exponentially (ReDoS); x-redos-accepted: true beside it accepts the risk",
  ),
  "bad-enum": error("An enum that is not a non-empty array"),
  "bad-format": error("A format that is not a string, or conflicts with its array's format"),
  "bad-rule": error("validations is not an array of rules"),
  validator: error("The validator cannot be compiled"),
  types: error("The TypeScript types cannot be generated"),
  // Lint checks on the normalized schema: nothing could pass, or the file contradicts itself.
  "contradictory-limits": error("A lower limit above its upper limit: no value can pass"),
  "contradictory-rules": error("Media rules whose ranges do not overlap: no media can pass"),
  "example-invalid": error("An example request body that violates the schema"),
  // Normalize: what was changed or cannot be checked, and generation goes on.
  "normalized-type": warning("A type name that is not JSON Schema, read as its JSON Schema type"),
  "numeric-string": warning("A number written as a string, read as the number"),
  "boolean-string": warning("A boolean written as a string, read as the boolean"),
  "unknown-keyword": warning("A keyword that is not understood and is ignored"),
  "unknown-format": warning("A format that is not known; values are not checked against it"),
  "duplicate-enum": warning("An enum value listed twice; the duplicate is ignored"),
  "required-missing-property": warning(
    "A required name that is not among the properties; it is an optional input of unknown type, not required in the types or by the validator",
  ),
  "default-invalid": warning("A default that violates its own schema; it is left out of the types, docs and examples"),
  "format-plural-on-string": warning("A plural media format on a single value, read as singular"),
  "rule-on-non-media": warning("Media rules on a property that is not a media URL; they are not applied"),
  "rule-metric-media-mismatch": warning("A rule metric that does not fit the property's media kind; it is not applied"),
  "ref-sibling-ignored": warning("A keyword beside $ref, which draft-07 ignores"),
  "rule-unreachable": warning(
    "Media rules inside definitions, a tuple or a pattern: not at one input path, not checked",
  ),
  "redos-polynomial": warning(
    "A pattern whose matching time can grow polynomially with the input (ReDoS, slower than exponential); the config's rules can make it an error",
  ),
  "redos-accepted": warning("A super-linear pattern whose risk the schema accepts (x-redos-accepted)"),
  "redos-unknown": warning("A pattern the ReDoS checker could not decide within its time limit"),
  "rules-on-output": warning("Media rules in the output schema, which are ignored"),
  "unknown-price-unit": warning(
    "A price_unit this package cannot multiply (it knows output and second); costs are not estimated",
  ),
  "rule-syntax": warning("A media rule that cannot be parsed; it is reported as unchecked at validation time", true),
  "rule-unknown-metric": warning(
    "A media rule on an unknown metric; it is reported as unchecked at validation time",
    true,
  ),
  "rule-unknown-operator": warning(
    "A media rule with an unknown operator; it is reported as unchecked at validation time",
    true,
  ),
  "rule-bad-value": warning(
    "A media rule whose value is not a number; it is reported as unchecked at validation time",
    true,
  ),
  // Normalize: harmless changes, listed so nothing changes silently.
  nullable: info("OpenAPI nullable read as a union with null"),
  "inferred-type": info("No type given; inferred from the schema's other keywords"),
  "items-from-format": info("Array items inferred from the array's plural media format"),
  "format-on-array": info("A singular media format on an array, applied to each item"),
  "format-plural-on-items-array": info("A plural media format on an array that has items, applied to each item"),
  "media-from-rules": info("No media format; the property's rules say it references media"),
  "generic-output": info("RunComfy's generic output schema applies"),
  "empty-description": info("An empty description, dropped"),
  "additional-items-ignored": info("additionalItems without a tuple items list, which has no effect"),
  "root-id": info("The root schema's $id, not used: $refs resolve inside the schema"),
  "example-blank": info(
    "An empty string at a required input of the example (the docs' blank to fill in): the docs show a placeholder",
  ),
} as const satisfies Record<string, NoteCodeInfo>;

export type NoteCode = keyof typeof NOTE_CODES;

export interface Note {
  code: NoteCode;
  severity: NoteSeverity;
  /** JSON pointer into the schema file. */
  pointer: string;
  message: string;
}

/** A severity as the config file sets it: `off` drops the note. */
export type SeveritySetting = NoteSeverity | "off";

/** How severities are decided for one run: `--strict` and the config file's `rules`. */
export interface SeverityPolicy {
  strict?: boolean;
  /** Per-code settings; the config loader refuses any that would lower an error. */
  rules?: Partial<Record<NoteCode, SeveritySetting>>;
}

/**
 * The severity of a code: with `strict`, rules that cannot be checked are errors; otherwise the
 * config file's setting if any, else the registry's.
 */
export function severityOf(code: NoteCode, policy: boolean | SeverityPolicy = false): SeveritySetting {
  const { strict = false, rules } = typeof policy === "boolean" ? { strict: policy } : policy;
  const entry: NoteCodeInfo = NOTE_CODES[code];
  const configured = rules && Object.hasOwn(rules, code) ? rules[code] : undefined;
  if (strict && entry.strictError) return "error";
  return configured !== undefined && entry.severity !== "error" ? configured : entry.severity;
}

/** A note with its registry severity. */
export function makeNote(code: NoteCode, pointer: string, message: string): Note {
  return { code, severity: NOTE_CODES[code].severity, pointer, message };
}
