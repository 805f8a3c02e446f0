/**
 * `run`: submit, wait, return the output. While queued it polls the status endpoint (which tells the
 * queue position); once the job runs, the result endpoint, which answers with the status until the
 * output is there: one request per poll, and the output arrives with the poll that sees completion.
 * When to poll is planned by client-poll.ts.
 */
import { sleep } from "./backoff.js";
import { JobPoller } from "./client-poll.js";
import { AbortedError, JobCancelledError, JobFailedError, TimeoutError } from "./errors.js";
import { serverMessage } from "./client-http-errors.js";
import { cancel, result, status, submit, type ClientContext, type PollHint } from "./client-requests.js";
import type { CancelResult, CompletedJobResult, RunOptions, StatusResult, SubmittedJob } from "./client-types.js";
import { isKnownStatus, statusOutcome } from "./job-status.js";

/** Defaults of `pollIntervalMs` and `maxPollIntervalMs` (see RunOptions). */
export const DEFAULT_POLL_MS = 250;
export const DEFAULT_MAX_POLL_MS = 15_000;

/** The signal `run` waits under (the caller's and the overall deadline), and the error each stop becomes. */
function runSignal(opts: RunOptions, job: () => SubmittedJob | undefined) {
  const deadline = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
  const signals = [opts.signal, deadline].filter((x): x is AbortSignal => x !== undefined);
  const signal = signals.length ? AbortSignal.any(signals) : undefined;
  const timedOut = () => !!deadline?.aborted && !opts.signal?.aborted;
  const stopped = () => {
    const requestId = job()?.requestId;
    const tag = requestId ? ` [request ${requestId}]` : "";
    return timedOut()
      ? new TimeoutError(`no result within ${opts.timeoutMs} ms${tag}`, { requestId })
      : new AbortedError(`aborted${tag}`, { requestId });
  };
  return { signal, timedOut, stopped };
}

/** The error for a job that ended failed: the result's message and detail (redacted like every answer). */
async function failure(ctx: ClientContext, job: SubmittedJob, s: string, signal?: AbortSignal) {
  const r = await result(ctx, job, { signal }).catch(() => undefined);
  const message = r && serverMessage(r.raw);
  const detail = r?.raw?.error ?? r?.raw?.detail ?? r?.raw?.error_message ?? r?.raw?.message;
  return new JobFailedError(`job ${s}${message ? `: ${message}` : ""} [request ${job.requestId}]`, {
    requestId: job.requestId,
    detail,
  });
}

/** Submit-to-finish time by the service's own clock (created_at → finished_at), when it says. */
function serviceTotalMs(r: CompletedJobResult<unknown>): number | undefined {
  const total = Date.parse(r.finishedAt ?? "") - Date.parse(r.createdAt ?? "");
  return Number.isFinite(total) && total >= 0 ? total : undefined;
}

/** How `run` waits: under which signal, what a stop becomes, since when, and what it reports. */
interface Waiting {
  signal?: AbortSignal;
  stopped: () => Error;
  started: number;
}

/** Polls until the job finishes; returns its result, or throws when it failed or was cancelled. */
async function waitFor(
  ctx: ClientContext,
  job: SubmittedJob,
  opts: RunOptions,
  wait: Waiting,
): Promise<CompletedJobResult<unknown>> {
  const { signal } = wait;
  const minMs = opts.pollIntervalMs ?? DEFAULT_POLL_MS;
  const bounds = { minMs, maxMs: Math.max(minMs, opts.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS) };
  const submittedAt = Date.now();
  const poller = new JobPoller(ctx.runTimes.of(job.modelId), bounds, submittedAt);
  const resultOptions = { signal, includeCost: opts.includeCost };
  const report = (s: StatusResult) => opts.onStatus?.({ ...s, elapsedMs: Date.now() - wait.started });
  const done = (r: CompletedJobResult<unknown>) => (poller.finished(Date.now(), submittedAt, serviceTotalMs(r)), r);
  let last: StatusResult | undefined;
  try {
    for (;;) {
      const hint: PollHint = {};
      let current: StatusResult;
      if (!last || last.status === "in_queue") current = await status(ctx, job, { signal }, hint);
      else {
        const r = await result(ctx, job, resultOptions, hint);
        if (r.completed) {
          if (statusOutcome(last.status) !== "succeeded") report({ requestId: job.requestId, status: r.status });
          return done(r);
        }
        current = { requestId: job.requestId, status: r.status };
      }
      const outcome = statusOutcome(current.status);
      const phase = current.status === "in_queue" ? "queued" : outcome === "pending" ? "running" : "ended";
      poller.observe(Date.now(), phase, current.queuePosition);
      const changed = !last || last.status !== current.status || last.queuePosition !== current.queuePosition;
      last = current;
      if (changed || !isKnownStatus(current.status)) report(current);
      if (outcome === "succeeded") {
        const r = await result(ctx, job, resultOptions);
        if (r.completed) return done(r);
        // The status said finished but the result not yet: keep polling.
      } else if (outcome === "cancelled") {
        throw new JobCancelledError(`job was ${current.status} [request ${job.requestId}]`, {
          requestId: job.requestId,
        });
      } else if (outcome === "failed") throw await failure(ctx, job, current.status, signal);
      const retryAfterMs =
        hint.retryAfterMs === undefined
          ? undefined
          : Math.min(hint.retryAfterMs, ctx.options.retry?.maxDelayMs ?? 30_000);
      const jitter = 0.9 + 0.2 * (ctx.options.random ?? Math.random)();
      await sleep(Math.round(poller.nextDelay(Date.now(), retryAfterMs) * jitter), signal, wait.stopped);
    }
  } finally {
    poller.dispose();
  }
}

/** Submits, waits and returns the finished job's result (`run` and `subscribe` on top of it). */
export async function runJob(
  ctx: ClientContext,
  modelId: string,
  input: unknown,
  opts: RunOptions = {},
): Promise<CompletedJobResult<unknown>> {
  const started = Date.now();
  let job: SubmittedJob | undefined;
  const { signal, timedOut, stopped } = runSignal(opts, () => job);
  try {
    job = await submit(ctx, modelId, input, { signal });
    opts.onSubmitted?.(job);
    const r = await waitFor(ctx, job, opts, { signal, stopped, started });
    opts.onResult?.(r);
    return r;
  } catch (e) {
    if (signal?.aborted && !(e instanceof JobCancelledError) && !(e instanceof JobFailedError)) {
      if (timedOut() || !job) throw stopped();
      throw await cancelOnAbort(ctx, job);
    }
    throw e;
  }
}

/**
 * The caller aborted a job `run` submitted: it asks the service to cancel it, whatever the last poll
 * said (the job may have started since a poll that saw it queued; the service cancels only queued
 * jobs and answers `not_cancellable` for the rest), and the AbortedError says what came of it.
 */
async function cancelOnAbort(ctx: ClientContext, job: SubmittedJob): Promise<AbortedError> {
  const { requestId } = job;
  let answer: CancelResult;
  try {
    answer = await cancel(ctx, job);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return new AbortedError(`aborted; the cancel request failed (${why}) [request ${requestId}]`, {
      requestId,
      cause: e,
    });
  }
  const outcome = answer.cancelled
    ? "the job was cancelled while queued"
    : `the job was not cancelled (${answer.reason})`;
  return new AbortedError(`aborted; ${outcome} [request ${requestId}]`, { requestId, cancel: answer });
}
