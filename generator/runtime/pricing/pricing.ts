/**
 * Cost estimates before submitting: the catalog's base price (recorded in the schema file by `pull`)
 * times what the price is per — outputs or seconds — read from the input. What the price multiplies
 * is decided at generate time from the input schema (`quantity`); this file only reads the input.
 * An input that does not say is answered "cannot estimate" with the reason, never with a guess.
 */

/** The catalog's price units this package knows how to multiply. */
export const PRICE_UNITS = ["output", "second"] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

/** What the base price multiplies for one model, decided from its input schema at generate time. */
export type CostQuantity =
  /**
   * An input property holds the number of outputs or the seconds (`num_images`, `duration`); with
   * `unit`, a length in another unit (`music_length_ms`: `{ unit: "ms", seconds: 0.001 }`).
   */
  | { kind: "property"; property: string; default?: unknown; unit?: { unit: string; seconds: number } }
  /** Priced per output, and no input property sets how many: one request makes one output. */
  | { kind: "one-output" }
  /** One output when a boolean input (`force_single`) is true; otherwise the model may make several. */
  | { kind: "one-output-if"; property: string; default?: unknown }
  /** The input does not determine the quantity (length set in frames, a `max_images` cap, …). */
  | { kind: "unknown"; reason: string };

/** A model's price as the catalog lists it, and what it multiplies. */
export interface ModelPricing {
  /** `base_price_usd`: the price of one unit, in US dollars. */
  basePriceUsd: number;
  /** `price_unit`: `"output"` or `"second"` (kept as the catalog wrote it when it is neither). */
  priceUnit: PriceUnit | (string & {});
  /** `pricing_note`: the catalog's words on what changes the price (resolution, audio, …). */
  pricingNote?: string;
  quantity: CostQuantity;
}

export type CostEstimate =
  | {
      estimated: true;
      /** Base price × units, in US dollars. */
      amountUsd: number;
      /** How it was computed, e.g. `$0.03 per output × num_images = 4`. */
      basis: string;
      units: number;
      basePriceUsd: number;
      priceUnit: PriceUnit;
      /** When present, the catalog says the price can differ from the base price: read it. */
      pricingNote?: string;
    }
  | { estimated: false; reason: string; basePriceUsd?: number; priceUnit?: string; pricingNote?: string };

const money = (usd: number) => `$${Number(usd.toFixed(6))}`;

/** A count or a number of seconds from an input value: numbers, and numeric strings (`"5"` in enums). */
function quantityOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Estimates what one request with `input` costs, or says why it cannot. Never throws for bad input. */
export function estimateCostFor(pricing: ModelPricing | null | undefined, input: unknown): CostEstimate {
  if (!pricing)
    return {
      estimated: false,
      reason:
        "no price is recorded for this model (`runcomfy-codegen pull` records the catalog's price in the schema file)",
    };
  const { basePriceUsd, priceUnit, pricingNote, quantity } = pricing;
  const known = { basePriceUsd, priceUnit, ...(pricingNote ? { pricingNote } : {}) };
  const isKnownUnit = (u: string): u is PriceUnit => (PRICE_UNITS as readonly string[]).includes(u);
  if (!isKnownUnit(priceUnit))
    return {
      estimated: false,
      reason: `the catalog prices this model per ${JSON.stringify(priceUnit)}, a unit this package cannot estimate`,
      ...known,
    };
  const unit: PriceUnit = priceUnit;
  const price = `${money(basePriceUsd)} per ${unit}`;
  const done = (units: number, basis: string): CostEstimate => ({
    estimated: true,
    amountUsd: Number((basePriceUsd * units).toFixed(10)),
    basis: `${price} × ${basis}`,
    units,
    ...known,
    priceUnit: unit,
  });
  if (quantity.kind === "unknown") return { estimated: false, reason: quantity.reason, ...known };
  if (quantity.kind === "one-output") return done(1, "1 (one output per request: no input sets the number of outputs)");
  const name = quantity.property;
  const given = input !== null && typeof input === "object" && !Array.isArray(input) && Object.hasOwn(input, name);
  const value = given ? (input as Record<string, unknown>)[name] : quantity.default;
  if (quantity.kind === "one-output-if") {
    if (value === true) return done(1, `1 (\`${name}\` = true${given ? "" : ", the default"})`);
    return {
      estimated: false,
      reason: `\`${name}\` is ${value === undefined ? "not set" : JSON.stringify(value)}${given || value === undefined ? "" : " (the default)"}: the model may make several outputs (set it to true for one)`,
      ...known,
    };
  }
  if (value === undefined)
    return { estimated: false, reason: `\`${name}\` is not set and the schema gives no default`, ...known };
  const units = quantityOf(value);
  if (units === undefined || (priceUnit === "output" && !Number.isInteger(units))) {
    return {
      estimated: false,
      reason: `\`${name}\` is ${JSON.stringify(value)}${given ? "" : " (the default)"}, not a ${priceUnit === "output" ? "count" : "number of seconds"}`,
      ...known,
    };
  }
  const defaulted = given ? "" : " (the default)";
  if (quantity.unit) {
    const seconds = Number((units * quantity.unit.seconds).toFixed(6));
    return done(seconds, `${name} = ${units} ${quantity.unit.unit}${defaulted} = ${seconds} s`);
  }
  return done(units, `${name} = ${units}${defaulted}`);
}

/** One line for people: `$0.12 ($0.03 per output × num_images = 4)` or `cannot estimate: …`. */
export function formatCostEstimate(estimate: CostEstimate): string {
  if (!estimate.estimated)
    return `cannot estimate: ${estimate.reason}${estimate.pricingNote ? ` (pricing note: ${estimate.pricingNote})` : ""}`;
  return `${money(estimate.amountUsd)} (${estimate.basis}${estimate.pricingNote ? `; base price, the catalog notes: ${estimate.pricingNote}` : ""})`;
}
