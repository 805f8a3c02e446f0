/** The queue client's public types: options, jobs, statuses, results and the client interface. */
import type { ValidationIssue, ValidationResult } from "../validation/issues.js";
import type { RetryOptions } from "../api-http/api-request.js";
import type { LocalMedia, WithLocalMedia } from "./local-media.js";
import type { ValidateOptions } from "../validation/validate.js";
import type { MediaInput } from "../validation/rule-types.js";
import type { CancelResult, JobStatus } from "./job-status.js";

export type { CancelResult, JobStatus } from "./job-status.js";

/**
 * Model id → its input and output types (an interface such as the generated ModelTypes fits).
 * `mediaPaths` names the input's media values (`"image_urls/*"`, `*` for array items), which then
 * also take local media (`Blob`, `File`, `Uint8Array`) in `submit`, `run` and `subscribe`.
 */
export type ModelTypeMap<M> = { [K in keyof M]: { input: unknown; output: unknown; mediaPaths?: string } };

/** What `submit`, `run` and `subscribe` take for a model: its input, with local media allowed at its media values. */
export type ClientInput<E extends { input: unknown; mediaPaths?: string }> = E extends {
  mediaPaths: infer P extends string;
}
  ? WithLocalMedia<E["input"], P>
  : E["input"];

export type { LocalMedia, WithLocalMedia };

/** What the client needs of a loaded model. */
export interface LoadedModel {
  validate(input: unknown, options?: ValidateOptions): Promise<ValidationResult>;
  /** Where the input takes media, and of which kind (emitted per model; a model without media has none). */
  mediaInputs?: readonly MediaInput[];
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
  /** The fetch to use (a custom agent, an instrumented fetch). Default: globalThis.fetch. */
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
  /**
   * Largest answer body the client reads (status, result, error), bytes; a longer one is a
   * RunComfyError naming this limit, and the rest is not read. Default 16 MiB.
   */
  maxResponseBytes?: number;
  /** Random source for the jitter of retries and polls (tests pass a fixed one). Default Math.random. */
  random?: () => number;
}

/** A submitted job: its request id and the URLs RunComfy gave for it. */
export interface SubmittedJob<Id extends string = string> {
  /** The model the job runs. */
  modelId: Id;
  /** RunComfy's id of the job (`request_id`): what status, result and cancel take. */
  requestId: string;
  /** `GET` this for the job's status. */
  statusUrl: string;
  /** `GET` this for the job's result. */
  resultUrl: string;
  /** `POST` this to cancel the job while it is queued. */
  cancelUrl: string;
}

/** A job's status. */
export interface StatusResult {
  /** The job's request id. */
  requestId: string;
  /** `in_queue`, `in_progress`, `completed`, `cancelled`, … (statuses the service adds are passed through). */
  status: JobStatus;
  /** The job's place in the queue (1 = next), while it is `in_queue` and the service says. */
  queuePosition?: number;
}

/** Fields every result has, finished or not. */
interface ResultFields {
  /** The job's request id. */
  requestId: string;
  /** The job's cost in USD, when asked for (`includeCost`) and the service returns it. */
  cost?: number;
  /** When the service created the job (ISO 8601, as it says). */
  createdAt?: string;
  /** When the job finished (ISO 8601, as the service says). */
  finishedAt?: string;
  /** The whole answer, as RunComfy sent it (redacted of the token). */
  raw: Record<string, unknown>;
}

/** A result: `completed` tells whether `output` is there (status strings are open-ended, so they cannot discriminate). */
export type JobResult<Output> =
  | (ResultFields & {
      /** The job finished with output. */
      completed: true;
      status: "completed" | "succeeded";
      /** The model's output (its `Output` type). */
      output: Output;
    })
  | (ResultFields & {
      /** The job has not finished with output (queued, running, failed or cancelled: see `status`). */
      completed: false;
      status: JobStatus;
      output?: undefined;
    });

/** A finished job's result (what `run`'s `onResult` receives). */
export type CompletedJobResult<Output> = Extract<JobResult<Output>, { completed: true }>;

/** Options of `result`. */
export interface ResultOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Ask for the job's cost (`?include_cost=true`): `cost` in USD when the service returns it. */
  includeCost?: boolean;
}

/** Options of `submit`, `status` and `cancel`. */
export interface RequestOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** What `onStatus` of `run` and `wait` receives. */
export interface StatusUpdate extends StatusResult {
  /** Time since `run` (or `wait`) was called, ms. */
  elapsedMs: number;
}

/** Options of `wait`, and of `run` and `subscribe` (which also submit). */
export interface WaitOptions {
  /** Stops waiting; `wait` leaves the job as it is (see RunOptions for `run`). */
  signal?: AbortSignal;
  /** Overall limit (for `run`: submit + waiting + result). Default: none. */
  timeoutMs?: number;
  /** Called on every change of status or queue position (and for unknown statuses). */
  onStatus?: (update: StatusUpdate) => void;
  /**
   * The shortest interval between two polls, and the first one. Between the shortest and the longest,
   * the client plans each poll from what the service said: the queue position while queued, how long
   * this model's recent jobs ran (dense around the expected completion, sparse before), and a
   * Retry-After header; with no finished run of the model yet (a fresh process), at most 4× this
   * while the job runs, so completion is seen within about a second. Default 250 ms.
   */
  pollIntervalMs?: number;
  /** The longest interval between two polls. Default 15 000 ms. */
  maxPollIntervalMs?: number;
  /** Ask for the job's cost with the result (see `onResult`). */
  includeCost?: boolean;
  /** Called with the finished job's whole result (request id, output, `cost` with `includeCost`, times) before the output is returned. */
  onResult?: (result: CompletedJobResult<unknown>) => void;
}

/** Options of `run` and `subscribe`. */
export interface RunOptions extends WaitOptions {
  /**
   * Aborts waiting. The job is first asked to be cancelled (RunComfy cancels only queued jobs), and
   * the AbortedError carries the answer as `cancel`: `cancelled: true` (nothing billed), or not (it
   * keeps running and is billed).
   */
  signal?: AbortSignal;
  /** Called once the job is submitted (its request id, for logs or later lookups). */
  onSubmitted?: (job: SubmittedJob) => void;
}

export interface RunComfyClient<M extends ModelTypeMap<M>> {
  /**
   * Validates the input (unless `validate: false`) and submits a job: `POST /models/{model_id}`.
   * Local media (`Blob`, `File`, `Uint8Array`) at a media input is sent as a data URI, its type from
   * the Blob, the file name or the bytes; one of the wrong kind, anywhere but a media input, or over
   * RunComfy's 64 MiB cap is a ValidationError before anything is sent, and the media rules are
   * checked on the bytes. Never retried after it may have reached the server (a duplicate job is
   * billed twice).
   * @returns the job's request id and its status, result and cancel URLs.
   */
  submit<Id extends keyof M & string>(
    modelId: Id,
    input: ClientInput<M[Id]>,
    options?: RequestOptions,
  ): Promise<SubmittedJob<Id>>;
  /** A job's status (`in_queue` with `queuePosition`, `in_progress`, `completed`, …): `GET /requests/{id}/status`. */
  status(request: string | SubmittedJob, options?: RequestOptions): Promise<StatusResult>;
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
   * An answer that says nothing either way is `{ cancelled: null, outcome: "unknown", reason }`.
   */
  cancel(request: string | SubmittedJob, options?: RequestOptions): Promise<CancelResult>;
  /**
   * Submits, waits (polls planned from the queue position and the model's recent running times,
   * `onStatus` on every change) and returns the output. An AbortSignal asks to cancel the job (only
   * a queued one can be) and rejects with AbortedError carrying the answer as `cancel`; `timeoutMs`
   * rejects with TimeoutError while the job keeps running (the error carries its request id). For
   * the request id with the output, use `subscribe` (or `onSubmitted`).
   */
  run<Id extends keyof M & string>(
    modelId: Id,
    input: ClientInput<M[Id]>,
    options?: RunOptions,
  ): Promise<M[Id]["output"]>;
  /**
   * `run`, returning the request id with the output, as fal's `subscribe` does: `{ data, requestId }`.
   * (`run` keeps returning the output alone, so existing code is unchanged.)
   */
  subscribe<Id extends keyof M & string>(
    modelId: Id,
    input: ClientInput<M[Id]>,
    options?: RunOptions,
  ): Promise<{ data: M[Id]["output"]; requestId: string }>;
  /**
   * Waits for a job already submitted (by `submit`, another process, the CLI) as `run` does — the
   * same planned polling, `onStatus` on every change — and returns `{ data, requestId }` once it has
   * finished (at once, with one request, if it already has). Rejects with JobFailedError or
   * JobCancelledError when it ended so, TimeoutError after `timeoutMs`; an AbortSignal stops waiting
   * (AbortedError) and leaves the job as it is. Given the submitted job, the output is typed by its model.
   */
  wait<Id extends keyof M & string>(
    request: SubmittedJob<Id>,
    options?: WaitOptions,
  ): Promise<{ data: M[Id]["output"]; requestId: string }>;
  /** `wait` by request id; name the model as a type argument to type the output. */
  wait<Id extends keyof M & string = keyof M & string>(
    request: string,
    options?: WaitOptions,
  ): Promise<{ data: M[Id]["output"]; requestId: string }>;
  /** The base URL in use (never the token). */
  readonly baseUrl: string;
}

/** What the generated package passes besides the user's options. */
export interface RuntimeClientOptions extends ClientOptions {
  /** Loads a model's module (its validator and input schema). */
  loadModel: (modelId: string) => Promise<LoadedModel>;
  /** Whether the package has the model (the generated package's `isModelId`). */
  knownModel: (modelId: string) => boolean | Promise<boolean>;
}
