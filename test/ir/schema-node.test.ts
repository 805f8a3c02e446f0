/** The one schema walker: every subschema of every keyword that holds one, and nothing else. */
import { describe, expect, it } from "vitest";
import type { SchemaNode } from "../../generator/ir/schema-node.js";
import { forEachSubschema, mapSchema, VALIDATION_KEYWORDS } from "../../generator/ir/schema-node.js";

const leaf = (tag: string): SchemaNode => ({ description: tag });

/** A node with one (or two) subschemas under every keyword that holds subschemas, and every value keyword. */
function everyKeyword(): SchemaNode {
  const node: Record<string, unknown> = {};
  for (const [keyword, shape] of Object.entries(VALIDATION_KEYWORDS)) {
    if (shape === "schema") node[keyword] = leaf(keyword);
    else if (shape === "boolOrSchema") node[keyword] = leaf(keyword);
    else if (shape === "schemaList") node[keyword] = [leaf(`${keyword}0`), leaf(`${keyword}1`)];
    else if (shape === "schemaMap") node[keyword] = { a: leaf(`${keyword}.a`) };
    else if (shape === "dependencies") node[keyword] = { a: leaf(`${keyword}.a`), b: ["a"] };
    else node[keyword] = keyword === "required" ? ["a"] : 1;
  }
  return node as SchemaNode;
}

describe("forEachSubschema", () => {
  it("visits each direct subschema once, with its keyword and key, in the node's key order", () => {
    const seen: string[] = [];
    forEachSubschema(everyKeyword(), (child, keyword, key) =>
      seen.push(`${keyword}${key === undefined ? "" : `[${key}]`}=${child.description}`),
    );
    expect(seen).toEqual([
      "definitions[a]=definitions.a",
      "$defs[a]=$defs.a",
      "prefixItems[0]=prefixItems0",
      "prefixItems[1]=prefixItems1",
      "items=items",
      "contains=contains",
      "unevaluatedItems=unevaluatedItems",
      "properties[a]=properties.a",
      "patternProperties[a]=patternProperties.a",
      "additionalProperties=additionalProperties",
      "propertyNames=propertyNames",
      "dependencies[a]=dependencies.a",
      "dependentSchemas[a]=dependentSchemas.a",
      "unevaluatedProperties=unevaluatedProperties",
      "anyOf[0]=anyOf0",
      "anyOf[1]=anyOf1",
      "oneOf[0]=oneOf0",
      "oneOf[1]=oneOf1",
      "allOf[0]=allOf0",
      "allOf[1]=allOf1",
      "not=not",
      "if=if",
      "then=then",
      "else=else",
    ]);
  });

  it("skips boolean schemas, name lists and keywords that do not validate", () => {
    const seen: string[] = [];
    const node = {
      additionalProperties: false,
      unevaluatedItems: true,
      dependencies: { a: ["b"] },
      "x-rules": [],
      examples: [{ type: "string" }],
    } as unknown as SchemaNode;
    forEachSubschema(node, (_, keyword) => seen.push(keyword));
    expect(seen).toEqual([]);
  });
});

describe("mapSchema", () => {
  it("copies the kept keywords, maps every subschema and keeps name lists as they are", () => {
    const node = {
      type: "object",
      description: "dropped",
      properties: { a: leaf("a") },
      dependencies: { a: ["b"], c: leaf("c") },
      items: leaf("i"),
    } as SchemaNode;
    const out = mapSchema(
      node,
      (k) => k !== "description",
      (child) => ({ mapped: child.description }),
    );
    expect(out).toEqual({
      type: "object",
      properties: { a: { mapped: "a" } },
      dependencies: { a: ["b"], c: { mapped: "c" } },
      items: { mapped: "i" },
    });
  });
});
