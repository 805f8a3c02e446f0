/**
 * `run`: submit, wait, return the output. While queued it polls the status endpoint (which tells the
 * queue position); once the job runs, the result endpoint, which answers with the status until the
 * output is there: one request per poll, and the output arrives with the poll that sees completion.
 */
import { pollDelay, sleep } from "./backoff.js";
import { AbortedError, JobCancelledError, JobFailedError, TimeoutError } from "./errors.js";
import { serverMessage } from "./http.js";
import { cancel, result, status, submit, type ClientContext } from "./client-requests.js";
import type { CompletedJobResult, RunOptions, StatusResult, SubmittedJob } from "./client-types.js";
import { isKnownStatus, statusOutcome } from "./job-status.js";

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

/** Polls until the job finishes; returns its result, or throws when it failed or was cancelled. */
async function waitFor(
  ctx: ClientContext,
  job: SubmittedJob,
  opts: RunOptions,
  wait: { signal?: AbortSignal; stopped: () => Error; started: number; seen: (s: StatusResult) => void },
): Promise<CompletedJobResult<unknown>> {
  const { signal } = wait;
  const first = opts.pollIntervalMs ?? 300;
  const cap = Math.max(first, opts.maxPollIntervalMs ?? 2_000);
  const resultOptions = { signal, includeCost: opts.includeCost };
  const report = (s: StatusResult) => opts.onStatus?.({ ...s, elapsedMs: Date.now() - wait.started });
  let last: StatusResult | undefined;
  for (let poll = 0; ; poll++) {
    let current: StatusResult;
    if (!last || last.status === "in_queue") current = await status(ctx, job, { signal });
    else {
      const r = await result(ctx, job, resultOptions);
      if (r.completed) {
        if (statusOutcome(last.status) !== "succeeded") report({ requestId: job.requestId, status: r.status });
        return r;
      }
      current = { requestId: job.requestId, status: r.status };
    }
    const changed = !last || last.status !== current.status || last.queuePosition !== current.queuePosition;
    last = current;
    wait.seen(current);
    if (changed || !isKnownStatus(current.status)) report(current);
    const outcome = statusOutcome(current.status);
    if (outcome === "succeeded") {
      const r = await result(ctx, job, resultOptions);
      if (r.completed) return r;
      // The status said finished but the result not yet: keep polling.
    } else if (outcome === "cancelled") {
      throw new JobCancelledError(`job was ${current.status} [request ${job.requestId}]`, {
        requestId: job.requestId,
      });
    } else if (outcome === "failed") throw await failure(ctx, job, current.status, signal);
    await sleep(pollDelay(poll, first, cap, ctx.options.random ?? Math.random), signal, wait.stopped);
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
  let last: StatusResult | undefined;
  const { signal, timedOut, stopped } = runSignal(opts, () => job);
  try {
    job = await submit(ctx, modelId, input, { signal });
    opts.onSubmitted?.(job);
    const r = await waitFor(ctx, job, opts, { signal, stopped, started, seen: (s) => (last = s) });
    opts.onResult?.(r);
    return r;
  } catch (e) {
    if (signal?.aborted && !(e instanceof JobCancelledError) && !(e instanceof JobFailedError)) {
      // An abort cancels a job that is still queued, best effort, before rejecting.
      if (!timedOut() && job && (!last || last.status === "in_queue")) await cancel(ctx, job).catch(() => undefined);
      throw stopped();
    }
    throw e;
  }
}
