import { note } from "../context.js";
import { type NormalizerRule, at, has } from "./node-context.js";

/** Keywords that only document, or that ajv reads as annotations: kept for docs where useful, never validated. */
export const ANNOTATIONS = [
  "title",
  "description",
  "examples",
  "example",
  "$comment",
  "readOnly",
  "writeOnly",
  "deprecated",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
  "$schema",
  "$id",
  "x-redos-accepted",
] as const;

export const annotations: NormalizerRule = {
  name: "annotations",
  keywords: ANNOTATIONS,
  apply(n) {
    if (typeof n.raw.title === "string") n.out.title = n.raw.title;
    if (typeof n.raw.description === "string") {
      if (n.raw.description.trim() !== "") n.out.description = n.raw.description;
      else note(n.ctx, "empty-description", at(n, "description"), "empty description dropped");
    }
    if (Array.isArray(n.raw.examples)) n.out.examples = n.raw.examples;
    if (has(n, "$id"))
      note(n.ctx, "root-id", at(n, "$id"), "$id of the root schema is not used: $refs resolve inside this schema");
  },
};
