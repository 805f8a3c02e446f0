import { hasOwn } from "../../shared/errors.js";
import { note } from "../context.js";
import { MEDIA_FORMATS, MEDIA_LIST_FORMATS } from "../vocabulary.js";
import type { NormalizerRule } from "./node-context.js";

export const mediaFormatType: NormalizerRule = {
  name: "media-format-type",
  keywords: [],
  apply(n) {
    // RunComfy writes media properties without a type: a media format says string, a plural one array.
    const f = n.raw.format;
    if (n.out.type !== undefined || typeof f !== "string" || n.raw.$ref !== undefined) return;
    const type = hasOwn(MEDIA_FORMATS, f) ? "string" : hasOwn(MEDIA_LIST_FORMATS, f) ? "array" : undefined;
    if (!type) return;
    n.out.type = type;
    note(n.ctx, "inferred-type", n.pointer, `no type given; format ${JSON.stringify(f)} says ${type}`);
  },
};
