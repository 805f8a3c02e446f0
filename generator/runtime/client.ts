/**
 * The typed queue client: submit, status, result, cancel, and run (submit, wait, return the output).
 * Web-standard APIs only (fetch, AbortController, URL), so it runs in Node ≥ 20, Bun, Deno, browsers
 * and edge runtimes. The token lives in a closure: it is never a property, never in a message.
 */
import { pollDelay, sleep } from "./backoff.js";
import {
  AbortedError,
  JobCancelledError,
  JobFailedError,
  NetworkError,
  RunComfyError,
  TimeoutError,
  UnknownModelError,
  ValidationError,
} from "./errors.js";
import { send, serverMessage, type HttpOptions, type RetryOptions } from "./http.js";
import type { ValidationIssue, ValidationResult } from "./issues.js";
import type { ValidateOptions } from "./validate.js";
import { resolveBaseUrl, resolveToken } from "./credentials.js";
import { costOf, isKnownStatus, statusOutcome } from "./job-status.js";

export { DEFAULT_BASE_URL } from "./credentials.js";

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

/** Model id → its input and output types (an interface such as the generated ModelTypes fits). */
export type ModelTypeMap<M> = { [K in keyof M]: { input: unknown; output: unknown } };

interface LoadedModel {
  validate(input: unknown, options?: ValidateOptions): Promise<ValidationResult>;
}

export interface ClientOptions {
  /**
   * API token. Default: RUNCOMFY_API_TOKEN, else RUNCOMFY_TOKEN, else (under Node) the token file the
   * official RunComfy CLI's `runcomfy login` writes (`~/.config/runcomfy/token.json`).
   */
  token?: string;
  /** Default: RUNCOMFY_BASE_URL, else RUNCOMFY_MODEL_API_BASE, else https://model-api.runcomfy.net/v1. */
  baseUrl?: string;
  /**
   * Send every request to a server-side proxy (`createProxyHandler`) at this URL instead of RunComfy,
   * e.g. `"/api/runcomfy"` in a browser app: the proxy adds the token, so none is needed or sent here.
   * Wins over `baseUrl` and `token`.
   */
  proxyUrl?: string;
  /** The fetch to use (a custom agent, a test double, an instrumented fetch). Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Validate inputs before submitting (schema and media rules). `false` turns it off; options tune it. Default true. */
  validate?: boolean | ValidateOptions;
  /**
   * Called when an input passed validation with warnings (before it is submitted): media rules not
   * checked here (a browser without CORS access, a timeout), unknown properties, unchecked rules.
   */
  onValidationWarnings?: (issues: ValidationIssue[], modelId: string) => void;
  /** Retries of status, result and cancel (429, 5xx, network), and of a submit provably never sent. */
  retry?: RetryOptions;
  /** Time limit of one HTTP request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export interface SubmittedJob<Id extends string = string> {
  modelId: Id;
  requestId: string;
  statusUrl: string;
  resultUrl: string;
  cancelUrl: string;
}

export interface StatusResult {
  requestId: string;
  status: JobStatus;
  queuePosition?: number;
}

/** A result: `completed` tells whether `output` is there (status strings are open-ended, so they cannot discriminate). */
export type JobResult<Output> =
  | {
      requestId: string;
      completed: true;
      status: "completed" | "succeeded";
      output: Output;
      cost?: number;
      createdAt?: string;
      finishedAt?: string;
      raw: Record<string, unknown>;
    }
  | {
      requestId: string;
      completed: false;
      status: JobStatus;
      output?: undefined;
      cost?: number;
      createdAt?: string;
      finishedAt?: string;
      raw: Record<string, unknown>;
    };

/** A finished job's result (what `run`'s `onResult` receives). */
export type CompletedJobResult<Output> = Extract<JobResult<Output>, { completed: true }>;

export interface ResultOptions {
  signal?: AbortSignal;
  /** Ask for the job's cost (`?include_cost=true`): `cost` in USD when the service returns it. */
  includeCost?: boolean;
}

/**
 * Cancel's answer. RunComfy cancels only queued jobs; for a running one it answers 2xx with
 * `outcome: "not_cancellable"`, which is `{ cancelled: false, outcome: "not_cancellable" }` here.
 */
export type CancelResult =
  | { requestId: string; cancelled: true; status: "cancelled" }
  | { requestId: string; cancelled: false; status: JobStatus; outcome?: string; reason: string };

export interface StatusUpdate extends StatusResult {
  elapsedMs: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Overall limit for submit + waiting + result. Default: none. */
  timeoutMs?: number;
  /** Called on every change of status or queue position (and for unknown statuses). */
  onStatus?: (update: StatusUpdate) => void;
  /** First polling interval; it grows 1.5× per poll (±20 % jitter) up to maxPollIntervalMs. Default 300 ms. */
  pollIntervalMs?: number;
  /** Default 2 000 ms. */
  maxPollIntervalMs?: number;
  /** Called once the job is submitted (its request id, for logs or later lookups). */
  onSubmitted?: (job: SubmittedJob) => void;
  /** Ask for the job's cost with the result (see `onResult`). */
  includeCost?: boolean;
  /** Called with the finished job's whole result (request id, output, `cost` with `includeCost`, times) before `run` returns the output. */
  onResult?: (result: CompletedJobResult<unknown>) => void;
}

export interface RunComfyClient<M extends ModelTypeMap<M>> {
  /**
   * Validates the input (unless `validate: false`) and submits a job: `POST /models/{model_id}`.
   * Never retried after it may have reached the server (a duplicate job is billed twice).
   * @returns the job's request id and its status, result and cancel URLs.
   */
  submit<Id extends keyof M & string>(
    modelId: Id,
    input: M[Id]["input"],
    options?: { signal?: AbortSignal },
  ): Promise<SubmittedJob<Id>>;
  /** A job's status (`in_queue` with `queuePosition`, `in_progress`, `completed`, …): `GET /requests/{id}/status`. */
  status(request: string | SubmittedJob, options?: { signal?: AbortSignal }): Promise<StatusResult>;
  /**
   * A job's result: `{ completed: true, output }` once finished, else `{ completed: false, status }`.
   * `GET /requests/{id}/result` (with `includeCost`, `?include_cost=true` and `cost` in USD). Given the submitted job, the output is typed by its model.
   */
  result<Id extends keyof M & string>(
    request: SubmittedJob<Id>,
    options?: ResultOptions,
  ): Promise<JobResult<M[Id]["output"]>>;
  /** A job's result by request id; name the model as a type argument to type the output. */
  result<Id extends keyof M & string = keyof M & string>(
    request: string,
    options?: ResultOptions,
  ): Promise<JobResult<M[Id]["output"]>>;
  /**
   * Cancels a queued job: `{ cancelled: true }`. A job that already runs cannot be cancelled:
   * `{ cancelled: false, status, outcome, reason }` (RunComfy's 2xx `not_cancellable`), an answer rather than an error.
   */
  cancel(request: string | SubmittedJob, options?: { signal?: AbortSignal }): Promise<CancelResult>;
  /**
   * Submits, waits (polling with backoff, `onStatus` on every change) and returns the output.
   * An AbortSignal cancels a still-queued job; `timeoutMs` rejects with TimeoutError while the job
   * keeps running (the error carries its request id). For the request id with the output, use
   * `subscribe` (or `onSubmitted`).
   */
  run<Id extends keyof M & string>(modelId: Id, input: M[Id]["input"], options?: RunOptions): Promise<M[Id]["output"]>;
  /**
   * `run`, returning the request id with the output, as fal's `subscribe` does: `{ data, requestId }`.
   * (`run` keeps returning the output alone, so existing code is unchanged.)
   */
  subscribe<Id extends keyof M & string>(
    modelId: Id,
    input: M[Id]["input"],
    options?: RunOptions,
  ): Promise<{ data: M[Id]["output"]; requestId: string }>;
  /** The base URL in use (never the token). */
  readonly baseUrl: string;
}

export interface RuntimeClientOptions extends ClientOptions {
  loadModel: (modelId: string) => Promise<LoadedModel>;
  /** Whether the package has the model (the generated package answers from one shard of its loaders). */
  knownModel: (modelId: string) => boolean | Promise<boolean>;
}

/** A proxy URL as given, or resolved against the page's location when relative (browsers). */
function resolveProxyUrl(proxyUrl: string): string {
  const location = (globalThis as { location?: { href?: string } }).location;
  return /^[a-z][a-z0-9+.-]*:/i.test(proxyUrl) || !location?.href ? proxyUrl : new URL(proxyUrl, location.href).href;
}

const idOf = (request: string | SubmittedJob) => (typeof request === "string" ? request : request.requestId);
const encodeId = (id: string) => encodeURIComponent(id);
/** Model ids keep their slashes in the path, as RunComfy expects; each segment is encoded. */
export const modelPath = (modelId: string) => `/models/${modelId.split("/").map(encodeURIComponent).join("/")}`;

function asObject(body: unknown): Record<string, unknown> {
  return body as Record<string, unknown>;
}

export function createRuntimeClient<M extends ModelTypeMap<M>>(options: RuntimeClientOptions): RunComfyClient<M> {
  // Behind a proxy the token lives on the server; a relative proxy URL resolves against the page.
  const behindProxy = options.proxyUrl !== undefined;
  const baseUrl = behindProxy
    ? resolveProxyUrl(options.proxyUrl!).replace(/\/+$/, "")
    : resolveBaseUrl(options.baseUrl);
  const settings: Omit<HttpOptions, "token"> = {
    baseUrl,
    fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
    retry: {
      maxRetries: options.retry?.maxRetries ?? 4,
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    random: options.random ?? Math.random,
  };
  // The token is looked up once, at the first request (the token file is read asynchronously).
  let ready: Promise<HttpOptions> | undefined;
  const connection = () =>
    (ready ??= (behindProxy ? Promise.resolve({ token: undefined }) : resolveToken(options.token)).then(
      ({ token }) => ({ ...settings, token }),
    ));
  const validation = options.validate ?? true;

  async function submit(modelId: string, input: unknown, opts: { signal?: AbortSignal } = {}): Promise<SubmittedJob> {
    if (!(await options.knownModel(modelId))) throw new UnknownModelError(modelId);
    if (validation !== false) {
      const model = await options.loadModel(modelId);
      const result = await model.validate(input, validation === true ? {} : validation);
      if (!result.valid) {
        const errors = result.issues.filter((i) => i.severity === "error");
        throw new ValidationError(
          `input for ${modelId} is invalid: ${errors.map((i) => `${i.path || "/"} ${i.message}`).join("; ")}`,
          result.issues,
        );
      }
      if (result.issues.length) options.onValidationWarnings?.(result.issues, modelId);
    }
    const http = await connection();
    const body = asObject(
      await send(http, {
        method: "POST",
        path: modelPath(modelId),
        body: input,
        idempotent: false,
        signal: opts.signal,
      }),
    );
    const requestId = body.request_id;
    if (typeof requestId !== "string" || !requestId)
      throw new NetworkError("malformed submit answer: no request_id", false);
    const fallback = (kind: string) => `${baseUrl}/requests/${encodeId(requestId)}/${kind}`;
    return {
      modelId,
      requestId,
      statusUrl: typeof body.status_url === "string" ? body.status_url : fallback("status"),
      resultUrl: typeof body.result_url === "string" ? body.result_url : fallback("result"),
      cancelUrl: typeof body.cancel_url === "string" ? body.cancel_url : fallback("cancel"),
    };
  }

  async function status(request: string | SubmittedJob, opts: { signal?: AbortSignal } = {}): Promise<StatusResult> {
    const requestId = idOf(request);
    const http = await connection();
    const body = asObject(
      await send(http, {
        method: "GET",
        path: `/requests/${encodeId(requestId)}/status`,
        idempotent: true,
        requestId,
        signal: opts.signal,
      }),
    );
    if (typeof body.status !== "string")
      throw new NetworkError("malformed status answer: no status", false, { requestId });
    const queuePosition = typeof body.queue_position === "number" ? body.queue_position : undefined;
    return queuePosition === undefined
      ? { requestId, status: body.status }
      : { requestId, status: body.status, queuePosition };
  }

  async function result(request: string | SubmittedJob, opts: ResultOptions = {}): Promise<JobResult<unknown>> {
    const requestId = idOf(request);
    const http = await connection();
    const path = `/requests/${encodeId(requestId)}/result${opts.includeCost ? "?include_cost=true" : ""}`;
    const raw = asObject(await send(http, { method: "GET", path, idempotent: true, requestId, signal: opts.signal }));
    const s = typeof raw.status === "string" ? raw.status : raw.output !== undefined ? "completed" : "unknown";
    const cost = costOf(raw);
    const extra = {
      ...(cost !== undefined ? { cost } : {}),
      ...(typeof raw.created_at === "string" ? { createdAt: raw.created_at } : {}),
      ...(typeof raw.finished_at === "string" ? { finishedAt: raw.finished_at } : {}),
    };
    if (statusOutcome(s) === "succeeded") {
      if (raw.output === undefined || raw.output === null || typeof raw.output !== "object")
        throw new NetworkError(`malformed result: ${s} without output`, false, { requestId });
      return {
        requestId,
        completed: true,
        status: s.toLowerCase() === "succeeded" ? "succeeded" : "completed",
        output: raw.output,
        ...extra,
        raw,
      };
    }
    return { requestId, completed: false, status: s, ...extra, raw };
  }

  async function cancel(request: string | SubmittedJob, opts: { signal?: AbortSignal } = {}): Promise<CancelResult> {
    const requestId = idOf(request);
    const http = await connection();
    try {
      const body = asObject(
        await send(http, {
          method: "POST",
          path: `/requests/${encodeId(requestId)}/cancel`,
          idempotent: true,
          requestId,
          signal: opts.signal,
        }),
      );
      const outcome = typeof body.outcome === "string" ? body.outcome : undefined;
      const s = typeof body.status === "string" ? body.status : undefined;
      // The official CLI reads `outcome` ("cancelled" or "not_cancellable"); without one, the status decides.
      if (outcome ? statusOutcome(outcome) === "cancelled" : s === undefined || statusOutcome(s) === "cancelled")
        return { requestId, cancelled: true, status: "cancelled" };
      const reason =
        serverMessage(body) ??
        (outcome === "not_cancellable"
          ? `the job is ${s ?? "running"} and can no longer be cancelled (only queued jobs can)`
          : `the job is ${s ?? outcome}`);
      return { requestId, cancelled: false, status: s ?? "in_progress", ...(outcome ? { outcome } : {}), reason };
    } catch (e) {
      // A server answering 409/400 for a job that already runs: an answer, not a failure.
      if (
        e instanceof RunComfyError &&
        (e.status === 409 || e.status === 400) &&
        !(e instanceof ValidationError && e.issues.length)
      ) {
        const detail = (e.detail ?? {}) as Record<string, unknown>;
        const s = typeof detail.status === "string" ? detail.status : "in_progress";
        return { requestId, cancelled: false, status: s, reason: e.message };
      }
      throw e;
    }
  }

  async function run(modelId: string, input: unknown, opts: RunOptions = {}): Promise<unknown> {
    const started = Date.now();
    const deadline = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const signals = [opts.signal, deadline].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length ? AbortSignal.any(signals) : undefined;
    const timedOut = () => !!deadline?.aborted && !opts.signal?.aborted;
    let job: SubmittedJob | undefined;
    let last: StatusResult | undefined;
    const stopped = () =>
      timedOut()
        ? new TimeoutError(`no result within ${opts.timeoutMs} ms${job ? ` [request ${job.requestId}]` : ""}`, {
            requestId: job?.requestId,
          })
        : new AbortedError(`aborted${job ? ` [request ${job.requestId}]` : ""}`, { requestId: job?.requestId });
    const finish = (r: CompletedJobResult<unknown>) => {
      opts.onResult?.(r);
      return r.output;
    };
    try {
      job = await submit(modelId, input, { signal });
      opts.onSubmitted?.(job);
      const first = opts.pollIntervalMs ?? 300;
      const cap = Math.max(first, opts.maxPollIntervalMs ?? 2_000);
      const resultOptions = { signal, includeCost: opts.includeCost };
      for (let poll = 0; ; poll++) {
        // While queued, the status endpoint tells the queue position. Once the job runs, the result
        // endpoint answers with the status until the output is there: one request per poll, and the
        // output arrives with the poll that sees completion.
        let current: StatusResult;
        if (!last || last.status === "in_queue") current = await status(job, { signal });
        else {
          const r = await result(job, resultOptions);
          if (r.completed) {
            if (opts.onStatus && statusOutcome(last.status) !== "succeeded")
              opts.onStatus({ requestId: job.requestId, status: r.status, elapsedMs: Date.now() - started });
            return finish(r);
          }
          current = { requestId: job.requestId, status: r.status };
        }
        const changed = !last || last.status !== current.status || last.queuePosition !== current.queuePosition;
        last = current;
        if ((changed || !isKnownStatus(current.status)) && opts.onStatus)
          opts.onStatus({ ...current, elapsedMs: Date.now() - started });
        const outcome = statusOutcome(current.status);
        if (outcome === "succeeded") {
          const r = await result(job, resultOptions);
          if (r.completed) return finish(r);
          // The status said finished but the result not yet: keep polling.
        } else if (outcome === "cancelled") {
          throw new JobCancelledError(`job was ${current.status} [request ${job.requestId}]`, {
            requestId: job.requestId,
          });
        } else if (outcome === "failed") {
          // The result is redacted like every answer (http.ts): its message and detail are safe to keep.
          const r = await result(job, { signal }).catch(() => undefined);
          const message = r && serverMessage(r.raw);
          const detail = r?.raw?.error ?? r?.raw?.detail ?? r?.raw?.error_message ?? r?.raw?.message;
          throw new JobFailedError(`job ${current.status}${message ? `: ${message}` : ""} [request ${job.requestId}]`, {
            requestId: job.requestId,
            detail,
          });
        }
        await sleep(pollDelay(poll, first, cap, settings.random), signal, stopped);
      }
    } catch (e) {
      if (signal?.aborted && !(e instanceof JobCancelledError) && !(e instanceof JobFailedError)) {
        // An abort cancels a job that is still queued, best effort, before rejecting.
        if (!timedOut() && job && (!last || last.status === "in_queue")) await cancel(job).catch(() => undefined);
        throw stopped();
      }
      throw e;
    }
  }

  async function subscribe(
    modelId: string,
    input: unknown,
    opts: RunOptions = {},
  ): Promise<{ data: unknown; requestId: string }> {
    let requestId = "";
    const data = await run(modelId, input, {
      ...opts,
      onSubmitted: (job) => {
        requestId = job.requestId;
        opts.onSubmitted?.(job);
      },
    });
    return { data, requestId };
  }

  const client = { submit, status, result, cancel, run, subscribe, baseUrl };
  return client as unknown as RunComfyClient<M>;
}
