import { setOwn } from "../../shared/errors.js";
import { type SchemaNode, isPlainObject } from "../../ir/schema-node.js";
import { type NormalizerRule, at, fail, has, mapOfSchemas, namesList } from "./node-context.js";

export const dependencies: NormalizerRule = {
  name: "dependencies",
  keywords: ["dependencies", "dependentRequired", "dependentSchemas"],
  apply(n) {
    if (has(n, "dependentRequired")) {
      const map = n.raw.dependentRequired;
      if (!isPlainObject(map))
        return fail(
          n,
          at(n, "dependentRequired"),
          "dependentRequired must be an object of property-name lists",
          "schema-shape",
        );
      const out: Record<string, string[]> = {};
      for (const key of Object.keys(map))
        setOwn(out, key, namesList(n, map[key], at(n, "dependentRequired", key), "each dependentRequired value"));
      n.out.dependentRequired = out;
    }
    if (has(n, "dependentSchemas")) n.out.dependentSchemas = mapOfSchemas(n, "dependentSchemas", () => n.dataPath);
    if (has(n, "dependencies")) {
      const map = n.raw.dependencies;
      if (!isPlainObject(map)) return fail(n, at(n, "dependencies"), "dependencies must be an object", "schema-shape");
      const out: Record<string, SchemaNode | string[]> = {};
      for (const key of Object.keys(map)) {
        const where = at(n, "dependencies", key);
        setOwn(
          out,
          key,
          Array.isArray(map[key])
            ? namesList(n, map[key], where, "a dependencies list")
            : n.child(map[key], where, n.dataPath),
        );
      }
      n.out.dependencies = out;
    }
  },
};
