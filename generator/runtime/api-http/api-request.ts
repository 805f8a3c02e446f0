/**
 * The client's HTTP layer: one request with a per-request timeout and a cap on the answer's size,
 * RunComfy's error bodies mapped to the error hierarchy (api-http/api-errors.ts), and the retry policy.
 * Web-standard APIs only.
 *
 * Retry policy: GETs and cancel are retried on 429, 5xx and network errors (backoff with jitter,
 * honouring Retry-After on 429 and 5xx). Submit is not idempotent — a duplicate job costs money — so it
 * is retried only on 429 (the server refused it) or when the request provably never reached the server
 * (no connection was made); never after a timeout, a dropped connection or any other answer. Redirects
 * are never followed: a request that got an answer was sent, whatever a later hop does.
 */
import { backoffDelay, sleep } from "./backoff.js";
import { errorFromResponse, MAX_SERVER_TEXT } from "./api-errors.js";
import { AbortedError, NetworkError, RateLimitError, RunComfyError, ServerError } from "../errors.js";
import { statusOutcome } from "../client/job-status.js";
import { createRedactor, truncate, type Redactor } from "./redact.js";

export { errorFromResponse, serverMessage } from "./api-errors.js";

/** Default of `maxResponseBytes`: far above any answer RunComfy documents, far below what hurts. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  maxRetries?: number;
  /** First backoff delay. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest backoff delay (and longest Retry-After honoured). Default 30 s. */
  maxDelayMs?: number;
}

export interface HttpOptions {
  baseUrl: string;
  token: string | undefined;
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
  requestTimeoutMs: number;
  /** Largest answer body read, bytes (status, result, errors alike). Default DEFAULT_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  random: () => number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path below the base URL, e.g. `/requests/abc/status`. */
  path: string;
  body?: unknown;
  /** Whether a retry after the request may have reached the server is safe. */
  idempotent: boolean;
  requestId?: string;
  signal?: AbortSignal;
  /** Called with the headers of the answer that is returned (e.g. to read a Retry-After on a 200). */
  onHeaders?: (headers: Headers) => void;
  /**
   * A job's status or result: a 2xx whose `status` says the job failed is the job's answer even when it
   * carries `error_code`/`error_message` (the reason it failed), not a failed request.
   */
  jobAnswer?: boolean;
}

/**
 * Causes Node's fetch reports when no connection was made, so the request provably never left. With
 * redirects never followed, the connection these speak of is the one to the base URL.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function isRetryable(error: RunComfyError, idempotent: boolean): boolean {
  if (error instanceof RateLimitError) return true;
  if (error instanceof NetworkError) return idempotent || error.notSent;
  if (error instanceof ServerError) return idempotent;
  return false;
}

/** A redirect is never followed (a submit must reach one place once): it is an error naming where it pointed. */
function redirectError(
  response: Response,
  where: string,
  requestId: string | undefined,
  redact: Redactor,
): RunComfyError {
  const location = response.headers.get("location");
  const target = location
    ? `to ${JSON.stringify(truncate(redact.text(location), MAX_SERVER_TEXT))}`
    : "(the runtime hides the Location)";
  return new RunComfyError(
    `RunComfy redirected ${where} ${target}; redirects are not followed: set baseUrl to the address the API now lives at${requestId ? ` [request ${requestId}]` : ""}`,
    {
      requestId,
      status: response.status || undefined,
    },
  );
}

/**
 * A body's bytes, reading at most `limit` of them with a running count: undefined when it is longer
 * (by its declared length or as it streams), and then the rest is never read (the stream is cancelled).
 * The one bounded reader of the client's answers and the proxy's request bodies and answers.
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  declared?: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (declared !== undefined && declared > limit) {
    void body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    size += part.value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(part.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/**
 * The answer's body as text, reading at most `limit` bytes: a longer one (declared or streamed) is
 * an error naming the limit, and the rest is never read (the connection is cancelled).
 */
async function readCapped(response: Response, limit: number, where: string, requestId?: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  const bytes = await readAtMost(response.body, limit, Number.isNaN(declared) ? undefined : declared);
  if (bytes === undefined)
    throw new RunComfyError(
      `the answer to ${where} (HTTP ${response.status}) is larger than the client's ${limit}-byte limit (maxResponseBytes)${declared > limit ? `: it declares ${declared} bytes` : ""}; the rest was not read${requestId ? ` [request ${requestId}]` : ""}`,
      { requestId, status: response.status },
    );
  return new TextDecoder().decode(bytes);
}

/** One redactor per client (its pattern is built once). */
const redactors = new WeakMap<HttpOptions, Redactor>();

export async function sendOnce(http: HttpOptions, req: HttpRequest): Promise<unknown> {
  let redact = redactors.get(http);
  if (!redact) redactors.set(http, (redact = createRedactor(http.token)));
  const deadline = AbortSignal.timeout(http.requestTimeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  const where = `${req.method} ${req.path}`;
  const stopped = () =>
    req.signal?.aborted
      ? new AbortedError(`aborted: ${where}`, { requestId: req.requestId })
      : new NetworkError(`no answer within ${http.requestTimeoutMs} ms: ${where}`, false, { requestId: req.requestId });
  let response: Response;
  try {
    const headers: Record<string, string> = { accept: "application/json" };
    if (http.token) headers.authorization = `Bearer ${http.token}`;
    if (req.body !== undefined) headers["content-type"] = "application/json";
    response = await http.fetch(http.baseUrl + req.path, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: "manual",
      signal,
    });
  } catch (e) {
    if (signal.aborted) throw stopped();
    const code = (e as { cause?: { code?: string } }).cause?.code;
    throw new NetworkError(
      redact.text(`network error on ${where}: ${code ?? (e as Error).message}`),
      code !== undefined && NOT_SENT_CODES.has(code),
      { requestId: req.requestId },
    );
  }
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    void response.body?.cancel().catch(() => undefined);
    throw redirectError(response, where, req.requestId, redact);
  }
  let text: string;
  try {
    text = await readCapped(response, http.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, where, req.requestId);
  } catch (e) {
    if (e instanceof RunComfyError) throw e;
    if (req.signal?.aborted) throw stopped();
    throw new NetworkError(
      `connection dropped while reading the answer to ${where}${signal.aborted ? ` (no answer within ${http.requestTimeoutMs} ms)` : ""}`,
      false,
      { requestId: req.requestId, status: response.status },
    );
  }
  // The choke point: from here on only redacted data exists.
  let body: unknown;
  try {
    body = text === "" ? undefined : redact.value(JSON.parse(text));
  } catch {
    if (response.ok)
      throw new NetworkError(`malformed answer to ${where} (HTTP ${response.status}, not JSON)`, false, {
        requestId: req.requestId,
        status: response.status,
      });
    body = { message: truncate(redact.text(text), 300) };
  }
  const fields = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const jobFailed = req.jobAnswer && typeof fields.status === "string" && statusOutcome(fields.status) === "failed";
  const hasErrorCode = "error_code" in fields && fields.error_code !== null && !jobFailed;
  if (!response.ok || hasErrorCode) throw errorFromResponse(response.status, body, response.headers, req.requestId);
  if (body === undefined || typeof body !== "object")
    throw new NetworkError(`malformed answer to ${where} (HTTP ${response.status}, expected a JSON object)`, false, {
      requestId: req.requestId,
      status: response.status,
    });
  req.onHeaders?.(response.headers);
  return body;
}

/** Sends with the retry policy. */
export async function send(http: HttpOptions, req: HttpRequest): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendOnce(http, req);
    } catch (e) {
      if (!(e instanceof RunComfyError) || attempt >= http.retry.maxRetries || !isRetryable(e, req.idempotent)) throw e;
      const retryAfter = e instanceof RateLimitError || e instanceof ServerError ? e.retryAfterMs : undefined;
      const delay =
        retryAfter !== undefined
          ? Math.min(retryAfter, http.retry.maxDelayMs)
          : backoffDelay(attempt, http.retry.baseDelayMs, http.retry.maxDelayMs, http.random);
      await sleep(
        delay,
        req.signal,
        () =>
          new AbortedError(`aborted while waiting to retry ${req.method} ${req.path}`, { requestId: req.requestId }),
      );
    }
  }
}
