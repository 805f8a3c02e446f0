/**
 * The lint checks compile example and default values against their schemas with ajv; an Ajv
 * instance keeps everything it compiled, so one instance for a whole run grew the generator's memory
 * by tens of KB per model. Checking many distinct models must not keep growing the heap.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { checkSchemas } from "../../generator/lint/checks.js";
import type { SchemaNode } from "../../generator/ir/schema-node.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** A distinct schema of a few properties with defaults, like a model's input. */
function schemaOf(i: number): SchemaNode {
  const properties: Record<string, SchemaNode> = {};
  for (let k = 0; k < 8; k++)
    properties[`p${i}_${k}`] = { type: "string", enum: [`a${i}`, `b${k}`], default: `a${i}` } as SchemaNode;
  return { type: "object", properties, additionalProperties: false } as SchemaNode;
}

describe("lint checks' memory", () => {
  it("does not grow with the number of models checked", () => {
    const check = (from: number, to: number) => {
      for (let i = from; i < to; i++)
        checkSchemas({ input: { schema: schemaOf(i), pointer: "/input_schema", raw: {} }, example: {} });
    };
    check(0, 400);
    const after400 = heapMB();
    check(400, 1200);
    const growth = heapMB() - after400;
    expect(growth).toBeLessThan(8);
  });
});
