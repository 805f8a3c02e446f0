/**
 * Property names every object already has in TypeScript's eyes: the members of its `Object`
 * interface. An optional property named so (`toString?: string`) makes every object literal without
 * it fail to type, since TypeScript checks the inherited `toString` against `string`. In the types
 * (types.ts), such a property's type is widened by the inherited member's type: exactly what reading the
 * property gives at runtime when the input does not have it. The validator reads own properties only
 * (ajv `ownProperties`, see validator.ts), so a value the schema does not allow is still refused.
 */
import type * as BabelTypes from "@babel/types";
import { tsLiteralNode } from "../shared/escape.js";

/** The members of TypeScript's `Object` interface (lib.es5.d.ts); a test compares the list with it. */
export const TYPESCRIPT_OBJECT_MEMBERS: readonly string[] = [
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
];

/**
 * A property's type, widened by `Object["<name>"]` when its name is an inherited member and it is
 * optional (`toString?: string | Object["toString"]`). `t` is `@babel/types` (the types' builders).
 */
export function withInheritedMember(
  t: typeof BabelTypes,
  name: string,
  type: BabelTypes.TSType,
  required: boolean,
): BabelTypes.TSType {
  if (required || !TYPESCRIPT_OBJECT_MEMBERS.includes(name)) return type;
  const member = t.tsIndexedAccessType(t.tsTypeReference(t.identifier("Object")), tsLiteralNode(t, name));
  return t.tsUnionType([type, member]);
}
