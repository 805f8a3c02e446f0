/** Evaluates parsed `validations` rules against measured media metrics. Pure; no I/O. */
import type { CheckedRule, Comparator, Expr, Metric } from "./rule-types.js";

/** What a probe measured. Missing fields were not measurable for that media. */
export interface MediaMetrics {
  sizeBytes?: number;
  width?: number;
  height?: number;
  durationSeconds?: number;
}

export type RuleOutcome =
  | { status: "pass"; actual: number }
  | { status: "fail"; actual: number }
  | { status: "unmeasured"; missing: Metric[] };

/** Bytes per megabyte in `file_size_mb` rules: binary megabytes (MiB), as file pickers and Python's `/ 1024 / 1024` count. */
export const BYTES_PER_MB = 1024 * 1024;
export const BYTES_PER_KB = 1024;

export function metricValue(name: Metric, m: MediaMetrics): number | undefined {
  switch (name) {
    case "width":
      return m.width;
    case "height":
      return m.height;
    case "file_size_bytes":
      return m.sizeBytes;
    case "file_size_kb":
      return m.sizeBytes === undefined ? undefined : m.sizeBytes / BYTES_PER_KB;
    case "file_size_mb":
      return m.sizeBytes === undefined ? undefined : m.sizeBytes / BYTES_PER_MB;
    case "duration_seconds":
      return m.durationSeconds;
  }
}

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
