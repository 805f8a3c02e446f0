/**
 * Parses a `validations` entry (`{validation_rule: "width/height<", validation_value: 3, ...}`) into
 * rule data. Never throws for a bad rule: it returns an "unchecked" rule with the reason, so the
 * generator can fail in --strict mode and otherwise report it at validation time.
 */
import { METRIC_ALIASES, metricByAlias, type Metric } from "../runtime/validation/metrics.js";
import type {
  CheckedRule,
  Comparator,
  Expr,
  Rule,
  RuleSource,
  UncheckedRule,
} from "../runtime/validation/rule-types.js";

/** Operators as schemas write them, longest first so `<=` wins over `<`. */
const OPERATORS: [string, Comparator][] = [
  ["<=", "<="],
  [">=", ">="],
  ["==", "=="],
  ["!=", "!="],
  ["≤", "<="],
  ["≥", ">="],
  ["≠", "!="],
  ["<", "<"],
  [">", ">"],
  ["=", "=="],
];

export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    readonly code: UncheckedRule["code"] = "rule-syntax",
  ) {
    super(message);
  }
}

/** Numbers as schemas write them: JSON numbers or numeric strings (`"0.33"`, `" 3 "`, `"1e3"`). */
export function parseNumeric(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Splits `width/height<` (or `width/height < 3`) into expression text, operator and any inline value. */
function splitOperator(text: string): { exprText: string; op: Comparator; inlineValue: string } {
  for (let i = 0; i < text.length; i++) {
    for (const [token, op] of OPERATORS) {
      if (text.startsWith(token, i)) {
        return { exprText: text.slice(0, i).trim(), op, inlineValue: text.slice(i + token.length).trim() };
      }
    }
  }
  throw new RuleSyntaxError(
    "no comparison operator (expected one of < <= > >= = == != ≤ ≥ ≠)",
    "rule-unknown-operator",
  );
}

/** Recursive-descent parser for `+ - * /`, parentheses, numbers and metric names. */
export function parseExpr(text: string): { expr: Expr; metrics: Metric[] } {
  const tokens =
    text.match(/\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|[-+*/()×÷]|\S)/g)?.map((t) => t.trim()) ??
    [];
  let pos = 0;
  const metrics = new Set<Metric>();
  const peek = () => tokens[pos];
  const primary = (): Expr => {
    const t = tokens[pos++];
    if (t === undefined) throw new RuleSyntaxError("the expression ends too early");
    if (t === "(") {
      const e = sum();
      if (tokens[pos++] !== ")") throw new RuleSyntaxError("missing ')'");
      return e;
    }
    if (t === "-") return { kind: "binary", op: "-", left: { kind: "number", value: 0 }, right: primary() };
    if (/^(?:\d|\.\d)/.test(t)) return { kind: "number", value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      const name = metricByAlias(t);
      if (!name)
        throw new RuleSyntaxError(
          `unknown metric ${JSON.stringify(t)} (known: ${Object.keys(METRIC_ALIASES).join(", ")})`,
          "rule-unknown-metric",
        );
      metrics.add(name);
      return { kind: "metric", name };
    }
    throw new RuleSyntaxError(`unexpected ${JSON.stringify(t)}`);
  };
  const product = (): Expr => {
    let left = primary();
    while (peek() === "*" || peek() === "/" || peek() === "×" || peek() === "÷") {
      const t = tokens[pos++];
      const op = t === "*" || t === "×" ? "*" : "/";
      left = { kind: "binary", op, left, right: primary() };
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[pos++] as "+" | "-";
      left = { kind: "binary", op, left, right: product() };
    }
    return left;
  };
  if (!tokens.length) throw new RuleSyntaxError("the rule has no metric before its operator");
  const expr = sum();
  if (pos < tokens.length) throw new RuleSyntaxError(`unexpected ${JSON.stringify(tokens[pos])}`);
  if (!metrics.size) throw new RuleSyntaxError("the expression measures nothing (no metric name)");
  return { expr, metrics: [...metrics].sort() };
}

export function parseRule(entry: unknown): Rule {
  const obj = (entry && typeof entry === "object" && !Array.isArray(entry) ? entry : {}) as Record<string, unknown>;
  const source: RuleSource = {
    rule: typeof obj.validation_rule === "string" ? obj.validation_rule : JSON.stringify(obj.validation_rule ?? null),
    value: obj.validation_value ?? null,
    error: typeof obj.validation_error === "string" ? obj.validation_error : "",
  };
  const unchecked = (reason: string, code: UncheckedRule["code"] = "rule-bad-value"): Rule => ({
    kind: "unchecked",
    source,
    reason,
    code,
  });
  if (entry === null || typeof entry !== "object" || Array.isArray(entry))
    return unchecked("a validations entry must be an object", "rule-syntax");
  if (typeof obj.validation_rule !== "string")
    return unchecked("validation_rule is missing or not a string", "rule-syntax");
  try {
    const { exprText, op, inlineValue } = splitOperator(obj.validation_rule);
    const { expr, metrics } = parseExpr(exprText);
    let limit: number | undefined;
    if (obj.validation_value !== undefined && obj.validation_value !== null && obj.validation_value !== "") {
      limit = parseNumeric(obj.validation_value);
      if (limit === undefined)
        return unchecked(`validation_value ${JSON.stringify(obj.validation_value)} is not a number`);
      if (inlineValue && parseNumeric(inlineValue) !== limit)
        return unchecked(
          `the rule text has the value ${inlineValue} but validation_value is ${JSON.stringify(obj.validation_value)}`,
        );
    } else {
      limit = inlineValue ? parseNumeric(inlineValue) : undefined;
      if (limit === undefined) return unchecked("no numeric validation_value");
    }
    if (inlineValue && parseNumeric(inlineValue) === undefined)
      return unchecked(`unexpected text after the operator: ${JSON.stringify(inlineValue)}`, "rule-syntax");
    const rule: CheckedRule = { kind: "checked", source, expr, op, limit, metrics };
    return rule;
  } catch (e) {
    if (e instanceof RuleSyntaxError) return unchecked(e.message, e.code);
    throw e;
  }
}
