/**
 * Stage 1 (load) — the catalog's pricing fields as a schema file records them (`base_price_usd`,
 * `price_unit`, `pricing_note`; written by `pull`, optional so hand-pasted files stay valid).
 */
import { SchemaFileError, hasOwn } from "../shared/errors.js";

/** The catalog's pricing of a model, as recorded in its schema file. */
export interface PricingFields {
  basePriceUsd: number;
  priceUnit: string;
  pricingNote?: string;
}

/**
 * The pricing fields of a parsed schema file (all optional: hand-pasted files have none). Errors
 * name the field; a price without a unit (or the reverse) is an error, since neither means anything alone.
 */
export function readPricingFields(file: string, doc: Record<string, unknown>): PricingFields | null {
  const has = (k: string) => hasOwn(doc, k) && doc[k] !== null;
  if (has("pricing_note") && typeof doc.pricing_note !== "string")
    throw new SchemaFileError(file, "/pricing_note", "pricing_note must be a string", "envelope");
  if (!has("base_price_usd") && !has("price_unit")) {
    if (has("pricing_note"))
      throw new SchemaFileError(
        file,
        "/pricing_note",
        "pricing_note without base_price_usd and price_unit",
        "envelope",
      );
    return null;
  }
  const price = doc.base_price_usd;
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0) {
    throw new SchemaFileError(
      file,
      "/base_price_usd",
      has("base_price_usd")
        ? "base_price_usd must be a number of US dollars, 0 or more"
        : "price_unit without base_price_usd",
      "envelope",
    );
  }
  const unit = doc.price_unit;
  if (typeof unit !== "string" || !unit)
    throw new SchemaFileError(
      file,
      "/price_unit",
      has("price_unit") ? 'price_unit must be a string ("output" or "second")' : "base_price_usd without price_unit",
      "envelope",
    );
  return {
    basePriceUsd: price,
    priceUnit: unit,
    ...(typeof doc.pricing_note === "string" && doc.pricing_note ? { pricingNote: doc.pricing_note } : {}),
  };
}
