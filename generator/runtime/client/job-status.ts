/**
 * What a status string means (lower-cased). As RunComfy's official CLI reads it: `completed` and
 * `succeeded` finished with output; `failed` failed; `cancelled` and `canceled` were cancelled. `error`
 * is read as failed too, though no official client reads it (the CLI would keep polling): a job that
 * says so will not bring output. Anything else (`in_queue`, `in_progress`, statuses the service may
 * add) is not finished.
 */

/** Statuses RunComfy documents or its official clients handle; the server may add others, which are passed through. */
export type JobStatus =
  | "in_queue"
  | "in_progress"
  | "completed"
  | "succeeded"
  | "cancelled"
  | "canceled"
  | "failed"
  | "error"
  | (string & {});

/**
 * Cancel's answer. RunComfy cancels only queued jobs; for a running one it answers 2xx with
 * `outcome: "not_cancellable"`, which is `{ cancelled: false, outcome: "not_cancellable" }` here.
 * A 2xx that says neither a status nor an outcome the official clients read (`{}`, only `request_id`)
 * claims nothing: `{ cancelled: null, outcome: "unknown", reason }`, so `if (r.cancelled)` stays false.
 */
export type CancelResult =
  | {
      /** The job's request id. */
      requestId: string;
      /** The job was cancelled (it was still queued). */
      cancelled: true;
      status: "cancelled";
    }
  | {
      /** The job's request id. */
      requestId: string;
      /** The job was not cancelled: it already runs or has ended. */
      cancelled: false;
      /** Its status as the service said (`in_progress` when it did not say). */
      status: JobStatus;
      /** The service's `outcome`, e.g. `not_cancellable`. */
      outcome?: string;
      /** Why, in words (the service's message when it gave one). */
      reason: string;
    }
  | {
      /** The job's request id. */
      requestId: string;
      /** Unknown: the answer did not say whether the job was cancelled (ask `status`). */
      cancelled: null;
      /** The status the answer gave, when it gave one. */
      status?: JobStatus;
      outcome: "unknown";
      /** What the answer said, and that it decides nothing. */
      reason: string;
    };
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
