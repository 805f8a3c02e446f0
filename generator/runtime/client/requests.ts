/**
 * The four requests of RunComfy's queue API, one function each: submit (after validation), status,
 * result and cancel. Each reads the answer defensively: fields RunComfy documents, or its official
 * clients read, and nothing else is trusted.
 */
import { NetworkError, RunComfyError, UnknownModelError, ValidationError } from "../errors.js";
import { parseRetryAfter } from "../api-http/backoff.js";
import { serverMessage } from "../api-http/api-errors.js";
import { hasLocalMedia, inlineLocalMedia } from "./local-media.js";
import { send, type HttpOptions } from "../api-http/api-request.js";
import type { RunTimes } from "./poll-plan.js";
import type {
  CancelResult,
  JobResult,
  RequestOptions,
  ResultOptions,
  RuntimeClientOptions,
  StatusResult,
  SubmittedJob,
} from "./client-types.js";
import { costOf, statusOutcome } from "./job-status.js";

/** What the requests share: the resolved base URL, the connection (token looked up once), the options. */
export interface ClientContext {
  baseUrl: string;
  connection: () => Promise<HttpOptions>;
  options: RuntimeClientOptions;
  /** How long each model's jobs ran, for planning polls. */
  runTimes: RunTimes;
}

/** What an answer said about polling again: its Retry-After, when it had one. */
export interface PollHint {
  retryAfterMs?: number;
}

export const idOf = (request: string | SubmittedJob) => (typeof request === "string" ? request : request.requestId);
const encodeId = (id: string) => encodeURIComponent(id);
/** Model ids keep their slashes in the path, as RunComfy expects; each segment is encoded. */
export const modelPath = (modelId: string) => `/models/${modelId.split("/").map(encodeURIComponent).join("/")}`;

const asObject = (body: unknown) => body as Record<string, unknown>;

/** One request about a job (`/requests/{id}/{kind}`), with the retry policy: its id and the answer. */
async function jobRequest(
  ctx: ClientContext,
  request: string | SubmittedJob,
  method: "GET" | "POST",
  kind: "status" | "result" | "cancel",
  signal: AbortSignal | undefined,
  query = "",
  hint?: PollHint,
): Promise<{ requestId: string; body: Record<string, unknown> }> {
  const requestId = idOf(request);
  const path = `/requests/${encodeId(requestId)}/${kind}${query}`;
  const onHeaders = hint && ((h: Headers) => (hint.retryAfterMs = parseRetryAfter(h.get("retry-after"))));
  const jobAnswer = kind !== "cancel";
  const body = await send(await ctx.connection(), {
    method,
    path,
    idempotent: true,
    requestId,
    signal,
    onHeaders,
    jobAnswer,
  });
  return { requestId, body: asObject(body) };
}

/** Validates the input as the client's options say; throws ValidationError, reports warnings. */
async function checkInput(ctx: ClientContext, modelId: string, input: unknown): Promise<void> {
  const validation = ctx.options.validate ?? true;
  if (validation === false) return;
  const model = await ctx.options.loadModel(modelId);
  const result = await model.validate(input, validation === true ? {} : validation);
  if (!result.valid) {
    const errors = result.issues.filter((i) => i.severity === "error");
    throw new ValidationError(
      `input for ${modelId} is invalid: ${errors.map((i) => `${i.path || "/"} ${i.message}`).join("; ")}`,
      result.issues,
    );
  }
  if (result.issues.length) ctx.options.onValidationWarnings?.(result.issues, modelId);
}

export async function submit(
  ctx: ClientContext,
  modelId: string,
  input: unknown,
  opts: RequestOptions = {},
): Promise<SubmittedJob> {
  if (!(await ctx.options.knownModel(modelId))) throw new UnknownModelError(modelId);
  // Local media becomes data URIs first, so validation probes the bytes that will be sent.
  const sent = hasLocalMedia(input)
    ? await inlineLocalMedia(modelId, input, (await ctx.options.loadModel(modelId)).mediaInputs ?? [])
    : input;
  await checkInput(ctx, modelId, sent);
  const http = await ctx.connection();
  const body = asObject(
    await send(http, { method: "POST", path: modelPath(modelId), body: sent, idempotent: false, signal: opts.signal }),
  );
  const requestId = body.request_id;
  if (typeof requestId !== "string" || !requestId)
    throw new NetworkError("malformed submit answer: no request_id", false);
  const url = (key: string, kind: string) =>
    typeof body[key] === "string" ? (body[key] as string) : `${ctx.baseUrl}/requests/${encodeId(requestId)}/${kind}`;
  return {
    modelId,
    requestId,
    statusUrl: url("status_url", "status"),
    resultUrl: url("result_url", "result"),
    cancelUrl: url("cancel_url", "cancel"),
  };
}

export async function status(
  ctx: ClientContext,
  request: string | SubmittedJob,
  opts: RequestOptions = {},
  hint?: PollHint,
): Promise<StatusResult> {
  const { requestId, body } = await jobRequest(ctx, request, "GET", "status", opts.signal, "", hint);
  if (typeof body.status !== "string")
    throw new NetworkError("malformed status answer: no status", false, { requestId });
  const queuePosition = typeof body.queue_position === "number" ? body.queue_position : undefined;
  return queuePosition === undefined
    ? { requestId, status: body.status }
    : { requestId, status: body.status, queuePosition };
}

export async function result(
  ctx: ClientContext,
  request: string | SubmittedJob,
  opts: ResultOptions = {},
  hint?: PollHint,
): Promise<JobResult<unknown>> {
  const query = opts.includeCost ? "?include_cost=true" : "";
  const { requestId, body: raw } = await jobRequest(ctx, request, "GET", "result", opts.signal, query, hint);
  const s = typeof raw.status === "string" ? raw.status : raw.output !== undefined ? "completed" : "unknown";
  const cost = costOf(raw);
  const extra = {
    ...(cost !== undefined ? { cost } : {}),
    ...(typeof raw.created_at === "string" ? { createdAt: raw.created_at } : {}),
    ...(typeof raw.finished_at === "string" ? { finishedAt: raw.finished_at } : {}),
  };
  if (statusOutcome(s) !== "succeeded") return { requestId, completed: false, status: s, ...extra, raw };
  if (raw.output === undefined || raw.output === null || typeof raw.output !== "object")
    throw new NetworkError(`malformed result: ${s} without output`, false, { requestId });
  const done = s.toLowerCase() === "succeeded" ? "succeeded" : "completed";
  return { requestId, completed: true, status: done, output: raw.output, ...extra, raw };
}

/**
 * Cancel's 2xx answer read as RunComfy's official clients read it: cancelled when the status or the
 * outcome says `cancelled` (the partner nodes; their own fixture answers `status: "cancelled"`,
 * `outcome: "cancellation_requested"`); not cancelled for `not_cancellable` or a status of a job that
 * runs or has ended; anything else (`{}`, only `request_id`, an outcome no client reads) decides nothing.
 */
function cancelAnswer(requestId: string, body: Record<string, unknown>): CancelResult {
  const outcome = typeof body.outcome === "string" ? body.outcome : undefined;
  const s = typeof body.status === "string" ? body.status : undefined;
  const said = (x: string | undefined) => (x === undefined ? "pending" : statusOutcome(x));
  if (said(s) === "cancelled" || said(outcome) === "cancelled")
    return { requestId, cancelled: true, status: "cancelled" };
  const message = serverMessage(body);
  if (outcome === "not_cancellable" || said(s) !== "pending" || s?.toLowerCase() === "in_progress") {
    const reason =
      message ??
      (outcome === "not_cancellable"
        ? `the job is ${s ?? "running"} and can no longer be cancelled (only queued jobs can)`
        : `the job is ${s}`);
    return { requestId, cancelled: false, status: s ?? "in_progress", ...(outcome ? { outcome } : {}), reason };
  }
  const answered = [s && `status ${JSON.stringify(s)}`, outcome && `outcome ${JSON.stringify(outcome)}`]
    .filter(Boolean)
    .join(" and ");
  const reason = `RunComfy accepted the cancel request but ${answered ? `answered only ${answered}, which does not say` : "did not say"} whether the job was cancelled${message ? ` (${message})` : ""}; ask for its status`;
  return { requestId, cancelled: null, ...(s ? { status: s } : {}), outcome: "unknown", reason };
}

export async function cancel(
  ctx: ClientContext,
  request: string | SubmittedJob,
  opts: RequestOptions = {},
): Promise<CancelResult> {
  const requestId = idOf(request);
  try {
    return cancelAnswer(requestId, (await jobRequest(ctx, requestId, "POST", "cancel", opts.signal)).body);
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
