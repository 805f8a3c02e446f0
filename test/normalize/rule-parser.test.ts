import { describe, expect, it } from "vitest";
import { parseNumeric, parseRule } from "../../generator/normalize/rule-parser.js";
import { evaluateRule, formatRule } from "../../generator/runtime/validation/rule-eval.js";
import type { CheckedRule } from "../../generator/runtime/validation/rule-types.js";

const checked = (rule: string, value: unknown) => {
  const r = parseRule({ validation_rule: rule, validation_value: value, validation_error: "msg" });
  if (r.kind !== "checked") throw new Error(`expected a checked rule, got: ${r.reason}`);
  return r as CheckedRule;
};

describe("rule parser", () => {
  it.each([
    ["width_pixels<", "<"],
    ["width_pixels<=", "<="],
    ["width_pixels>", ">"],
    ["width_pixels>=", ">="],
    ["width_pixels=", "=="],
    ["width_pixels==", "=="],
    ["width_pixels!=", "!="],
    ["width_pixels≤", "<="],
    ["width_pixels≥", ">="],
    ["width_pixels≠", "!="],
    ["width_pixels <= ", "<="],
  ])("reads the operator of %j", (rule, op) => {
    expect(checked(rule, 10).op).toBe(op);
  });

  it("reads metric aliases", () => {
    expect(checked("width<", 1).metrics).toEqual(["width"]);
    expect(checked("height_pixels<", 1).metrics).toEqual(["height"]);
    expect(checked("file_size_mb<", 1).metrics).toEqual(["file_size_mb"]);
    expect(checked("duration_seconds<=", 1).metrics).toEqual(["duration_seconds"]);
  });

  it("reads arithmetic expressions with precedence and parentheses", () => {
    const r = checked("(width+height)*2/height>", 1);
    expect(formatRule(r)).toBe("(width+height)*2/height > 1");
    expect(evaluateRule(r, { width: 300, height: 100 })).toEqual({ status: "pass", actual: 8 });
    expect(formatRule(checked("width*height<=", "16777216"))).toBe("width*height <= 16777216");
  });

  it("reads numeric-string values and inline values", () => {
    expect(checked("width/height≥", "0.33").limit).toBe(0.33);
    expect(checked("width<=4096", undefined).limit).toBe(4096);
    expect(parseNumeric(" 3 ")).toBe(3);
    expect(parseNumeric("3px")).toBeUndefined();
  });

  it.each([
    [{ validation_rule: "sharpness>", validation_value: 1 }, "unknown metric"],
    [{ validation_rule: "width", validation_value: 1 }, "no comparison operator"],
    [{ validation_rule: "width<", validation_value: "big" }, "not a number"],
    [{ validation_rule: "width<" }, "no numeric validation_value"],
    [{ validation_rule: "<3", validation_value: 3 }, "no metric"],
    [{ validation_rule: "3<", validation_value: 3 }, "measures nothing"],
    [{ validation_rule: "width+<", validation_value: 3 }, "ends too early"],
    [{ validation_value: 3 }, "validation_rule is missing"],
    ["not an object", "must be an object"],
  ])("reports %j as unchecked (%s)", (entry, reason) => {
    const r = parseRule(entry);
    expect(r.kind).toBe("unchecked");
    expect(r.kind === "unchecked" && r.reason).toContain(reason);
  });
});

describe("rule evaluation at the seed boundaries", () => {
  it("<= 4096: 4096 passes, 4097 fails", () => {
    const r = checked("width_pixels<=", 4096);
    expect(evaluateRule(r, { width: 4096 }).status).toBe("pass");
    expect(evaluateRule(r, { width: 4097 }).status).toBe("fail");
  });
  it("width/height < 3: 2.99 passes, 3.0 fails", () => {
    const r = checked("width/height<", 3);
    expect(evaluateRule(r, { width: 2990, height: 1000 }).status).toBe("pass");
    expect(evaluateRule(r, { width: 3000, height: 1000 }).status).toBe("fail");
  });
  it("file_size_mb < 4.7 counts binary megabytes", () => {
    const r = checked("file_size_mb<", 4.7);
    const limit = 4.7 * 1024 * 1024;
    expect(evaluateRule(r, { sizeBytes: Math.floor(limit) - 1 }).status).toBe("pass");
    expect(evaluateRule(r, { sizeBytes: Math.ceil(limit) }).status).toBe("fail");
  });
  it("a metric that was not measured is reported, not passed", () => {
    expect(evaluateRule(checked("width<", 5), { sizeBytes: 10 })).toEqual({ status: "unmeasured", missing: ["width"] });
  });
  it("a zero-height image never passes a ratio rule", () => {
    expect(evaluateRule(checked("width/height>", 0.33), { width: 0, height: 0 }).status).toBe("fail");
  });
});

describe("prototype-named metrics", () => {
  it.each(["constructor<", "__proto__<", "toString>="])("%j is an unknown metric", (rule) => {
    expect(parseRule({ validation_rule: rule, validation_value: 1 })).toMatchObject({
      kind: "unchecked",
      code: "rule-unknown-metric",
    });
  });
});
