/**
 * What a status string means (lower-cased). As RunComfy's official CLI reads it: `completed` and
 * `succeeded` finished with output; `failed` failed; `cancelled` and `canceled` were cancelled. `error`
 * is read as failed too, though no official client reads it (the CLI would keep polling): a job that
 * says so will not bring output. Anything else (`in_queue`, `in_progress`, statuses the service may
 * add) is not finished.
 */
export type StatusOutcome = "succeeded" | "failed" | "cancelled" | "pending";

const OUTCOMES: Record<string, StatusOutcome> = {
  completed: "succeeded",
  succeeded: "succeeded",
  failed: "failed",
  error: "failed",
  cancelled: "cancelled",
  canceled: "cancelled",
};

export function statusOutcome(status: string): StatusOutcome {
  const s = status.toLowerCase();
  return Object.hasOwn(OUTCOMES, s) ? OUTCOMES[s] : "pending";
}

/** The statuses `run` reports only on change; any other is reported on every poll. */
export const isKnownStatus = (status: string) =>
  status.toLowerCase() === "in_queue" || status.toLowerCase() === "in_progress" || statusOutcome(status) !== "pending";

/** `cost` in USD from a result answer, when it is a finite number (or a numeric string). */
export function costOf(raw: Record<string, unknown>): number | undefined {
  const c = typeof raw.cost === "string" && raw.cost.trim() !== "" ? Number(raw.cost) : raw.cost;
  return typeof c === "number" && Number.isFinite(c) ? c : undefined;
}
