/** The normalizer's product: clean JSON Schema nodes as the emitters see them, and the stage's result. */
import type { MediaKind, Rule, RuleTarget } from "../runtime/rule-types.js";
import type { Note } from "../shared/notes.js";

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

/** A JSON object (not null, not an array): what a schema node other than a boolean must be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
