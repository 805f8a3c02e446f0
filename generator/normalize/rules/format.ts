import { hasOwn } from "../../shared/errors.js";
import { note } from "../context.js";
import { FORMAT_ALIASES, MEDIA_FORMATS, MEDIA_LIST_FORMATS, STANDARD_FORMATS } from "../vocabulary.js";
import { type NormalizerRule, at, fail, has, hasType } from "./node-context.js";

export const format: NormalizerRule = {
  name: "format",
  keywords: ["format"],
  apply(n) {
    // Media formats mark media inputs; plural forms go on arrays' items (with or without `items`).
    if (!has(n, "format")) return;
    const where = at(n, "format");
    const format = n.raw.format;
    if (typeof format !== "string") return fail(n, where, "format must be a string", "bad-format");
    const isArray = hasType(n.out.type, "array");
    if (hasOwn(MEDIA_FORMATS, format) || hasOwn(MEDIA_LIST_FORMATS, format)) {
      const kind = MEDIA_FORMATS[format] ?? MEDIA_LIST_FORMATS[format];
      const singular = `${kind}_uri`;
      n.out["x-media"] = kind;
      if (isArray) {
        if (hasOwn(MEDIA_FORMATS, format))
          note(n.ctx, "format-on-array", where, `format ${JSON.stringify(format)} on an array applies to each item`);
        else if (has(n, "items"))
          // Said even though nothing is lost: the format is dropped from the array and each item gets the singular one.
          note(
            n.ctx,
            "format-plural-on-items-array",
            where,
            `plural format ${JSON.stringify(format)} on an array with items; each item is read as ${JSON.stringify(singular)}`,
          );
        n.itemsFormat = singular;
      } else {
        if (hasOwn(MEDIA_LIST_FORMATS, format))
          note(
            n.ctx,
            "format-plural-on-string",
            where,
            `plural format ${JSON.stringify(format)} on a single value; read as ${JSON.stringify(singular)}`,
          );
        n.out.format = singular;
      }
    } else if (STANDARD_FORMATS.includes(format) || hasOwn(FORMAT_ALIASES, format)) {
      const f = hasOwn(FORMAT_ALIASES, format) ? FORMAT_ALIASES[format] : format;
      if (isArray && n.out.type === "array") n.itemsFormat = f;
      else n.out.format = f;
    } else {
      note(
        n.ctx,
        "unknown-format",
        where,
        `format ${JSON.stringify(format)} is not known; values are not checked against it`,
      );
    }
  },
};
