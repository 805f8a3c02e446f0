/** What the `enum`, `const` and `default` rules share: a value read as the declared type, or refused by it. */
import { SchemaFileError } from "../../shared/errors.js";
import { note } from "../context.js";
import { type JsonType, type SchemaNode, isPlainObject } from "../../ir/schema-node.js";
import { parseNumeric } from "../rule-parser.js";
import { type NodeContext, fail, hasType } from "./node-context.js";

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
export function coerceToType(
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
export function checkValueType(n: NodeContext, value: unknown, pointer: string, what: string): void {
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
