import { hasOwn } from "../../shared/errors.js";
import { note } from "../context.js";
import {
  type NodeContext,
  type NormalizerRule,
  at,
  below,
  boolOrSchema,
  has,
  mapOfSchemas,
  namesList,
} from "./node-context.js";
import { checkPattern } from "./pattern.js";

export const properties: NormalizerRule = {
  name: "properties",
  keywords: [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
  ],
  apply(n) {
    if (has(n, "properties")) n.out.properties = mapOfSchemas(n, "properties", (name) => below(n, name));
    if (has(n, "required")) {
      // A required name beside properties that lack it is a slip of the page (one lists "image_urls"
      // while its property is "images"): an input built from the properties must pass, so it is not
      // required; it stays an optional input of unknown type, so one built from the list passes too.
      // Alone (allOf branches, dependencies) it is how JSON Schema says "must be present".
      const required = namesList(n, n.raw.required, at(n, "required"), "required").filter((name) => {
        const properties = n.out.properties;
        if (!properties || hasOwn(properties, name)) return true;
        note(
          n.ctx,
          "required-missing-property",
          at(n, "required", (n.raw.required as string[]).indexOf(name)),
          `required name ${JSON.stringify(name)} is not among the properties: it is an optional input of unknown type, not required in the types or by the validator; describe it in properties if the model takes it`,
        );
        Object.defineProperty(properties, name, { value: {}, enumerable: true, writable: true, configurable: true });
        return false;
      });
      if (required.length) n.out.required = required;
    }
    if (has(n, "additionalProperties")) n.out.additionalProperties = boolOrSchema(n, "additionalProperties", null);
    if (has(n, "patternProperties")) {
      for (const pattern of Object.keys(n.raw.patternProperties as object))
        checkPattern(n, pattern, at(n, "patternProperties", pattern));
      n.out.patternProperties = mapOfSchemas(n, "patternProperties", () => null);
    }
    if (has(n, "propertyNames")) n.out.propertyNames = n.child(n.raw.propertyNames, at(n, "propertyNames"), null);
    if (has(n, "unevaluatedProperties")) n.out.unevaluatedProperties = boolOrSchema(n, "unevaluatedProperties", null);
    recordKnown(n);
  },
};

/**
 * Records the property names an object declares at its data path, for unknown-property warnings. An
 * object that admits other keys (additionalProperties, patternProperties, a $ref whose target is not
 * walked here) makes every name at its path known: warn less, never refuse.
 */
function recordKnown(n: NodeContext): void {
  const o = n.out;
  if (!n.dataPath) return;
  const open =
    o.$ref !== undefined ||
    o.additionalProperties !== undefined ||
    o.patternProperties !== undefined ||
    o.unevaluatedProperties !== undefined;
  if (!open && !o.properties) return;
  const key = JSON.stringify(n.dataPath);
  const entry = n.ctx.known.get(key) ?? { path: n.dataPath, names: new Set<string>() };
  if (open) entry.names = null;
  else if (entry.names)
    for (const name of [...Object.keys(o.properties ?? {}), ...(o.required ?? [])]) entry.names.add(name);
  n.ctx.known.set(key, entry);
}
