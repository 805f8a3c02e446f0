import { joinPointer } from "../../runtime/json-pointer.js";
import { note } from "../context.js";
import { parseRule } from "../rule-parser.js";
import { type NormalizerRule, at, fail, has, hasType } from "./node-context.js";

export const validations: NormalizerRule = {
  name: "validations",
  keywords: ["validations"],
  apply(n) {
    // RunComfy's media rules go to the side table the runtime evaluates after probing the media.
    if (!has(n, "validations")) return;
    const where = at(n, "validations");
    if (!Array.isArray(n.raw.validations)) return fail(n, where, "validations must be an array of rules", "bad-rule");
    const rules = n.raw.validations.map((entry, i) => {
      const rule = parseRule(entry);
      if (rule.kind === "unchecked")
        note(n.ctx, rule.code, joinPointer(where, i), `rule cannot be checked: ${rule.reason}`);
      return rule;
    });
    const onArray = hasType(n.out.type, "array");
    const target = onArray ? n.out.items : n.out;
    if (!target || !hasType(target.type, "string")) {
      note(
        n.ctx,
        "rule-on-non-media",
        where,
        "validations on a property that is not a media URL (string or array of strings): each rule is reported as unchecked at validation time",
      );
    }
    const media = target?.["x-media"] ?? null;
    if (!media && rules.some((r) => r.kind === "checked"))
      note(n.ctx, "media-from-rules", where, "no media format; the property's rules say it references media");
    if (!rules.length) return;
    n.out["x-rules"] = rules;
    if (!n.dataPath)
      note(
        n.ctx,
        "rule-unreachable",
        where,
        "validations here (inside definitions, a tuple or a pattern) do not sit at one input path and are not checked",
      );
    else n.ctx.ruleTargets.push({ path: onArray ? [...n.dataPath, "*"] : n.dataPath, media, rules });
  },
};
