/** Evaluates parsed `validations` rules against measured media metrics. Pure; no I/O. */
import { metricValue, type MediaMetrics, type Metric } from "./metrics.js";
import type { CheckedRule, Comparator, Expr } from "./rule-types.js";

export { BYTES_PER_KB, BYTES_PER_MB, metricValue, type MediaMetrics } from "./metrics.js";

export type RuleOutcome =
  | { status: "pass"; actual: number }
  | { status: "fail"; actual: number }
  | { status: "unmeasured"; missing: Metric[] };

export function evaluateExpr(expr: Expr, m: MediaMetrics): number | undefined {
  switch (expr.kind) {
    case "number":
      return expr.value;
    case "metric":
      return metricValue(expr.name, m);
    case "binary": {
      const a = evaluateExpr(expr.left, m);
      const b = evaluateExpr(expr.right, m);
      if (a === undefined || b === undefined) return undefined;
      switch (expr.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
      }
    }
  }
}

export function compare(actual: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}

export function evaluateRule(rule: CheckedRule, m: MediaMetrics): RuleOutcome {
  const missing = rule.metrics.filter((name) => metricValue(name, m) === undefined);
  if (missing.length) return { status: "unmeasured", missing };
  const actual = evaluateExpr(rule.expr, m)!;
  // NaN (e.g. 0/0 from a zero-height image) never passes a rule.
  return { status: !Number.isNaN(actual) && compare(actual, rule.op, rule.limit) ? "pass" : "fail", actual };
}

/** The rule's expression in words for messages and docs, e.g. `width/height < 3`. */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case "number":
      return String(expr.value);
    case "metric":
      return expr.name;
    case "binary": {
      const wrap = (e: Expr) =>
        e.kind === "binary" && (expr.op === "*" || expr.op === "/") && (e.op === "+" || e.op === "-")
          ? `(${formatExpr(e)})`
          : formatExpr(e);
      const right =
        expr.right.kind === "binary" && (expr.op === "-" || expr.op === "/")
          ? `(${formatExpr(expr.right)})`
          : wrap(expr.right);
      return `${wrap(expr.left)}${expr.op}${right}`;
    }
  }
}

export function formatRule(rule: CheckedRule): string {
  return `${formatExpr(rule.expr)} ${rule.op} ${rule.limit}`;
}
