/**
 * The normalizer's rules: one per RunComfy quirk or JSON Schema keyword, run in this order on every
 * schema node (like json-schema-to-typescript's src/normalizer.ts). Each rule, in `rules/<name>.ts`,
 * names the keywords it reads; a keyword no rule names is not JSON Schema and is dropped with a
 * warning (the last rule). Every rule has a given/want fixture in test/normalizer/<rule name>/.
 */
import { annotations } from "./annotations.js";
import { booleanSchema } from "./boolean-schema.js";
import { combinators } from "./combinators.js";
import { constRule } from "./const.js";
import { defaultRule } from "./default.js";
import { dependencies } from "./dependencies.js";
import { enumRule } from "./enum.js";
import { format } from "./format.js";
import { items } from "./items.js";
import { mediaFormatType } from "./media-format-type.js";
import type { NormalizerRule } from "./node-context.js";
import { numericLimits } from "./numeric-limits.js";
import { pattern } from "./pattern.js";
import { properties } from "./properties.js";
import { ref } from "./ref.js";
import { type } from "./type.js";
import { uniqueItems } from "./unique-items.js";
import { unknownKeyword } from "./unknown-keyword.js";
import { unsupportedKeyword } from "./unsupported-keyword.js";
import { validations } from "./validations.js";

export type { NodeContext, NormalizerRule } from "./node-context.js";

export const NORMALIZER_RULES: readonly NormalizerRule[] = [
  booleanSchema,
  ref,
  unsupportedKeyword,
  type,
  mediaFormatType,
  annotations,
  numericLimits,
  pattern,
  uniqueItems,
  format,
  enumRule,
  constRule,
  defaultRule,
  items,
  properties,
  dependencies,
  combinators,
  validations,
  unknownKeyword(() => HANDLED_KEYWORDS),
];

/** Every keyword some rule reads: derived from the table. */
export const HANDLED_KEYWORDS: ReadonlySet<string> = new Set(NORMALIZER_RULES.flatMap((r) => r.keywords));
