/**
 * `run`: submit, wait, return the output; `wait`: the same for a job already submitted. While queued it polls the status endpoint (which tells the
 * queue position); once the job runs, the result endpoint, which answers with the status until the
 * output is there: one request per poll, and the output arrives with the poll that sees completion.
 * When to poll is planned by client/poll-plan.ts.
 */
import { sleep } from "../api-http/backoff.js";
import { JobPoller, RunTimes } from "./poll-plan.js";
import { AbortedError, JobCancelledError, JobFailedError, TimeoutError } from "../errors.js";
import { serverMessage } from "../api-http/api-errors.js";
import { cancel, idOf, result, status, submit, type ClientContext, type PollHint } from "./requests.js";
import type {
  CancelResult,
  CompletedJobResult,
  RunOptions,
  StatusResult,
  SubmittedJob,
  WaitOptions,
} from "./client-types.js";
import { isKnownStatus, statusOutcome } from "./job-status.js";

/** Defaults of `pollIntervalMs` and `maxPollIntervalMs` (see RunOptions). */
export const DEFAULT_POLL_MS = 250;
export const DEFAULT_MAX_POLL_MS = 15_000;

/**
 * The signal a wait runs under (the caller's and the overall deadline), and the error each stop
 * becomes; `aborted` says what an abort left of the job.
 */
function waitSignal(opts: WaitOptions, requestId: () => string | undefined, aborted = "aborted") {
  const deadline = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
  const signals = [opts.signal, deadline].filter((x): x is AbortSignal => x !== undefined);
  const signal = signals.length ? AbortSignal.any(signals) : undefined;
  const timedOut = () => !!deadline?.aborted && !opts.signal?.aborted;
  const stopped = () => {
    const id = requestId();
    const tag = id ? ` [request ${id}]` : "";
    return timedOut()
      ? new TimeoutError(`no result within ${opts.timeoutMs} ms${tag}`, { requestId: id })
      : new AbortedError(`${aborted}${tag}`, { requestId: id });
  };
  return { signal, timedOut, stopped };
}

/** The error for a job that ended failed: the result's message, error_code and detail (redacted like every answer). */
async function failure(ctx: ClientContext, requestId: string, s: string, signal?: AbortSignal) {
  const r = await result(ctx, requestId, { signal }).catch(() => undefined);
  const message = r && serverMessage(r.raw);
  const detail = r?.raw?.error ?? r?.raw?.detail ?? r?.raw?.error_message ?? r?.raw?.message;
  const code = r?.raw?.error_code;
  return new JobFailedError(`job ${s}${message ? `: ${message}` : ""} [request ${requestId}]`, {
    requestId,
    detail,
    ...(typeof code === "string" || typeof code === "number" ? { errorCode: code } : {}),
  });
}

/**
 * The job waited for: its id, its model when known (its recorded running times plan the polls), and
 * when it was submitted if this process submitted it (else its running time is known only from a
 * poll that saw it queued).
 */
interface WaitedJob {
  requestId: string;
  modelId?: string;
  submittedAt?: number;
}

/** Submit-to-finish time by the service's own clock (created_at → finished_at), when it says. */
function serviceTotalMs(r: CompletedJobResult<unknown>): number | undefined {
  const total = Date.parse(r.finishedAt ?? "") - Date.parse(r.createdAt ?? "");
  return Number.isFinite(total) && total >= 0 ? total : undefined;
}

/** How a wait runs: under which signal, what a stop becomes, since when. */
interface Waiting {
  signal?: AbortSignal;
  stopped: () => Error;
  started: number;
}

/**
 * Polls until the job finishes; returns its result, or throws when it failed or was cancelled. A job
 * this process submitted is polled by status first (it is queued); any other by result first, which
 * brings the output at once when it has finished.
 */
async function waitFor(
  ctx: ClientContext,
  job: WaitedJob,
  opts: WaitOptions,
  wait: Waiting,
): Promise<CompletedJobResult<unknown>> {
  const { signal } = wait;
  const { requestId } = job;
  const minMs = opts.pollIntervalMs ?? DEFAULT_POLL_MS;
  const bounds = { minMs, maxMs: Math.max(minMs, opts.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS) };
  const submitted = job.submittedAt !== undefined;
  let poller: JobPoller | undefined;
  // Created at the first answer: a job first seen running has no known start, so its running time
  // is planned without the model's history and not recorded into it.
  const plan = (queued: boolean) =>
    (poller ??= new JobPoller(
      job.modelId !== undefined && (submitted || queued) ? ctx.runTimes.of(job.modelId) : new RunTimes().of(""),
      bounds,
      job.submittedAt ?? Date.now(),
    ));
  const resultOptions = { signal, includeCost: opts.includeCost };
  const report = (s: StatusResult) => opts.onStatus?.({ ...s, elapsedMs: Date.now() - wait.started });
  const done = (r: CompletedJobResult<unknown>) => {
    poller?.finished(Date.now(), job.submittedAt ?? 0, submitted ? serviceTotalMs(r) : undefined);
    return r;
  };
  let last: StatusResult | undefined;
  try {
    for (;;) {
      const hint: PollHint = {};
      let current: StatusResult;
      if (last ? last.status === "in_queue" : submitted) current = await status(ctx, requestId, { signal }, hint);
      else {
        const r = await result(ctx, requestId, resultOptions, hint);
        if (r.completed) {
          if (!last || statusOutcome(last.status) !== "succeeded") report({ requestId, status: r.status });
          return done(r);
        }
        current = { requestId, status: r.status };
        // Found queued (only `wait` starts by result): its queue position comes with the status, asked at once.
        if (!last && current.status === "in_queue") current = await status(ctx, requestId, { signal }, hint);
      }
      const outcome = statusOutcome(current.status);
      const phase = current.status === "in_queue" ? "queued" : outcome === "pending" ? "running" : "ended";
      const poll = plan(phase === "queued");
      poll.observe(Date.now(), phase, current.queuePosition);
      const changed = !last || last.status !== current.status || last.queuePosition !== current.queuePosition;
      last = current;
      if (changed || !isKnownStatus(current.status)) report(current);
      if (outcome === "succeeded") {
        const r = await result(ctx, requestId, resultOptions);
        if (r.completed) return done(r);
        // The status said finished but the result not yet: keep polling.
      } else if (outcome === "cancelled") {
        throw new JobCancelledError(`job was ${current.status} [request ${requestId}]`, { requestId });
      } else if (outcome === "failed") throw await failure(ctx, requestId, current.status, signal);
      const retryAfterMs =
        hint.retryAfterMs === undefined
          ? undefined
          : Math.min(hint.retryAfterMs, ctx.options.retry?.maxDelayMs ?? 30_000);
      const jitter = 0.9 + 0.2 * (ctx.options.random ?? Math.random)();
      await sleep(Math.round(poll.nextDelay(Date.now(), retryAfterMs) * jitter), signal, wait.stopped);
    }
  } finally {
    poller?.dispose();
  }
}

/** The stops that end a wait as the caller's: anything but the job's own end (failed, cancelled elsewhere). */
const stoppedByCaller = (signal: AbortSignal | undefined, e: unknown) =>
  !!signal?.aborted && !(e instanceof JobCancelledError) && !(e instanceof JobFailedError);

/** Submits, waits and returns the finished job's result (`run` and `subscribe` on top of it). */
export async function runJob(
  ctx: ClientContext,
  modelId: string,
  input: unknown,
  opts: RunOptions = {},
): Promise<CompletedJobResult<unknown>> {
  const started = Date.now();
  let job: SubmittedJob | undefined;
  const { signal, timedOut, stopped } = waitSignal(opts, () => job?.requestId);
  try {
    job = await submit(ctx, modelId, input, { signal });
    opts.onSubmitted?.(job);
    const waited = { requestId: job.requestId, modelId, submittedAt: Date.now() };
    const r = await waitFor(ctx, waited, opts, { signal, stopped, started });
    opts.onResult?.(r);
    return r;
  } catch (e) {
    if (!stoppedByCaller(signal, e)) throw e;
    if (timedOut() || !job) throw stopped();
    throw await cancelOnAbort(ctx, job);
  }
}

/**
 * `wait`: waits for a job already submitted (a request id, or the job `submit` returned) as `run`
 * does, and returns its result. An abort only stops waiting: the job was not submitted here, so it
 * is not cancelled.
 */
export async function waitForJob(
  ctx: ClientContext,
  request: string | SubmittedJob,
  opts: WaitOptions = {},
): Promise<CompletedJobResult<unknown>> {
  const started = Date.now();
  const requestId = idOf(request);
  const { signal, stopped } = waitSignal(opts, () => requestId, "stopped waiting (the job was not cancelled)");
  const modelId = typeof request === "string" ? undefined : request.modelId;
  try {
    const r = await waitFor(ctx, { requestId, modelId }, opts, { signal, stopped, started });
    opts.onResult?.(r);
    return r;
  } catch (e) {
    throw stoppedByCaller(signal, e) ? stopped() : e;
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
