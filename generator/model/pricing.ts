/**
 * Stage 4 (model) — pricing: the rule that decides, from a model's input schema, what the catalog's
 * base price multiplies. The rules (README, "Cost estimates"):
 * - per output: an input property named for the number of outputs (`num_images`, …) is the count;
 *   with none, a switch to one output (`force_single`) counts one when true and "cannot estimate"
 *   otherwise; a property that caps a varying count (`max_images`, …) means "cannot estimate"; with
 *   none of these, a request makes one output.
 * - per second: a property named for the length in seconds (`duration`, …) is the seconds, or one
 *   whose name says another unit (`music_length_ms`) converted to seconds; a length set in frames, or no length at all (it comes from the input media or the model), means "cannot
 *   estimate".
 * Only top-level input properties count: that is where every model we have seen puts them.
 */
import { hasOwn } from "../shared/errors.js";
import type { PricingFields } from "../load/pricing-fields.js";
import type { SchemaNode } from "../ir/schema-node.js";
import type { CostQuantity, ModelPricing } from "../runtime/pricing/pricing.js";

/** Input properties that hold the number of outputs, in order of preference. */
export const OUTPUT_COUNT_PROPERTIES = [
  "num_images",
  "number_of_images",
  "num_outputs",
  "num_videos",
  "number_of_videos",
  "batch_size",
];
/** Boolean input properties that, when true, make the model return exactly one output. */
export const SINGLE_OUTPUT_SWITCHES = ["force_single"];
/** Input properties that cap or vary the number of outputs without fixing it. */
export const VARIABLE_COUNT_PROPERTIES = ["max_images", "max_outputs", "max_videos", "sequential_image_generation"];
/** Input properties that hold the output's length in seconds, in order of preference. */
export const DURATION_PROPERTIES = ["duration", "duration_seconds", "seconds"];
/**
 * A length whose name says its unit (`music_length_ms`, `duration_minutes`): a name ending in
 * `duration` or `length` and the unit. Taken after DURATION_PROPERTIES, converted to seconds. A bare
 * `length` says no unit (it may count characters), so it never counts.
 */
const LENGTH_IN_UNIT = /(?:^|_)(?:duration|length)_(ms|milliseconds|s|sec|secs|seconds|min|mins|minutes)$/;
const SECONDS_PER: Readonly<Record<string, { unit: string; seconds: number }>> = {
  ms: { unit: "ms", seconds: 0.001 },
  milliseconds: { unit: "ms", seconds: 0.001 },
  s: { unit: "s", seconds: 1 },
  sec: { unit: "s", seconds: 1 },
  secs: { unit: "s", seconds: 1 },
  seconds: { unit: "s", seconds: 1 },
  min: { unit: "min", seconds: 60 },
  mins: { unit: "min", seconds: 60 },
  minutes: { unit: "min", seconds: 60 },
};

/** The input's length property, by the names above, and how many seconds one of its units is. */
function lengthProperty(
  props: Record<string, SchemaNode>,
): { name: string; unit?: { unit: string; seconds: number } } | undefined {
  const exact = firstOf(DURATION_PROPERTIES, props);
  if (exact) return { name: exact };
  for (const name of Object.keys(props)) {
    const m = LENGTH_IN_UNIT.exec(name);
    if (m) return SECONDS_PER[m[1]].seconds === 1 ? { name } : { name, unit: SECONDS_PER[m[1]] };
  }
  return undefined;
}
/** Input properties that set the length in frames (the billed seconds depend on a frame rate). */
export const FRAME_PROPERTIES = ["frames", "num_frames", "frame_count"];

const firstOf = (names: string[], props: Record<string, SchemaNode>) => names.find((n) => hasOwn(props, n));
const list = (names: string[]) => names.map((n) => `\`${n}\``).join(", ");

/** What the base price multiplies for a model with this input schema. */
export function costQuantity(priceUnit: string, input: SchemaNode): CostQuantity {
  const props = input.properties ?? {};
  const withDefault = (name: string) => (props[name].default !== undefined ? { default: props[name].default } : {});
  const property = (name: string): CostQuantity => ({ kind: "property", property: name, ...withDefault(name) });
  if (priceUnit === "output") {
    const count = firstOf(OUTPUT_COUNT_PROPERTIES, props);
    if (count) return property(count);
    const single = firstOf(SINGLE_OUTPUT_SWITCHES, props);
    if (single) return { kind: "one-output-if", property: single, ...withDefault(single) };
    const variable = firstOf(VARIABLE_COUNT_PROPERTIES, props);
    if (variable)
      return {
        kind: "unknown",
        reason: `\`${variable}\` lets the model make a varying number of outputs, so the count is not known before the run`,
      };
    return { kind: "one-output" };
  }
  if (priceUnit === "second") {
    const length = lengthProperty(props);
    if (length) return { ...property(length.name), ...(length.unit ? { unit: length.unit } : {}) };
    const frames = firstOf(FRAME_PROPERTIES, props);
    if (frames)
      return {
        kind: "unknown",
        reason: `the length is set in frames (\`${frames}\`) and the frame rate the service bills by is not in the schema`,
      };
    return {
      kind: "unknown",
      reason: `the input has no length in seconds (${list(DURATION_PROPERTIES)}, or a length whose name says its unit, such as \`music_length_ms\`): it comes from the model or from the input media`,
    };
  }
  return {
    kind: "unknown",
    reason: `the catalog prices this model per ${JSON.stringify(priceUnit)}, a unit this package cannot estimate`,
  };
}

export function modelPricing(fields: PricingFields | null, input: SchemaNode): ModelPricing | null {
  return fields && { ...fields, quantity: costQuantity(fields.priceUnit, input) };
}
