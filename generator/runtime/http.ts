/**
 * The client's HTTP layer: one request with a per-request timeout, RunComfy's error bodies mapped to
 * the error hierarchy, and the retry policy. Web-standard APIs only.
 *
 * Retry policy: GETs and cancel are retried on 429, 5xx and network errors (backoff with jitter,
 * honouring Retry-After). Submit is not idempotent — a duplicate job costs money — so it is retried only
 * on 429 (the server refused it) or when the request provably never reached the server (connection
 * refused, host not found); never after a timeout, a dropped connection or a 5xx once sent.
 */
import { backoffDelay, parseRetryAfter, sleep } from "./backoff.js";
import {
  AbortedError,
  AuthenticationError,
  InsufficientBalanceError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  RunComfyError,
  ServerError,
  TimeoutError,
  ValidationError,
  type RunComfyErrorInit,
} from "./errors.js";
import type { ValidationIssue } from "./issues.js";

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
}

/** Error codes in RunComfy's bodies that decide the error class whatever the HTTP status. */
const ERROR_CODES: Record<string, new (message: string, init?: RunComfyErrorInit) => RunComfyError> = {
  "400004": AuthenticationError,
  "400002": InsufficientBalanceError,
  "404001": NotFoundError,
};

/** Node's fetch reports these causes when the connection was never made. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET_BEFORE_SEND", "UND_ERR_CONNECT_TIMEOUT"]);

export function redactor(token: string | undefined): (text: string) => string {
  if (!token) return (t) => t;
  return (text) => text.split(token).join("[redacted]");
}

function redactValue(value: unknown, redact: (t: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redact)]));
  return value;
}

/** Maps an HTTP answer carrying an error (by status or by `error_code`) to the hierarchy. */
export function errorFromResponse(status: number, body: unknown, headers: Headers, requestId: string | undefined, redact: (t: string) => string): RunComfyError {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const errorCode = (b.error_code ?? b.code) as string | number | undefined;
  const serverMessage = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : typeof b.detail === "string" ? b.detail : undefined;
  const detail = redactValue(b.detail, redact);
  const init: RunComfyErrorInit = { requestId, status, errorCode, detail };
  const describe = (what: string) => redact(`${what}${serverMessage ? `: ${serverMessage}` : ""}${errorCode !== undefined ? ` (error_code ${errorCode})` : ""}${requestId ? ` [request ${requestId}]` : ""}`);
  const byCode = errorCode !== undefined && Object.prototype.hasOwnProperty.call(ERROR_CODES, String(errorCode)) ? ERROR_CODES[String(errorCode)] : undefined;
  if (byCode) return new byCode(describe(`RunComfy answered HTTP ${status}`), init);
  if (status === 400 || status === 422) return new ValidationError(describe(`RunComfy rejected the input (HTTP ${status})`), serverIssues(b.detail, redact), init);
  if (status === 401 || status === 403) return new AuthenticationError(describe(`not authorized (HTTP ${status}); check RUNCOMFY_API_TOKEN`), init);
  if (status === 402) return new InsufficientBalanceError(describe("insufficient balance (HTTP 402)"), init);
  if (status === 404) return new NotFoundError(describe("not found (HTTP 404)"), init);
  if (status === 429) return new RateLimitError(describe("rate limited (HTTP 429)"), parseRetryAfter(headers.get("retry-after")), init);
  if (status >= 500) return new ServerError(describe(`RunComfy server error (HTTP ${status})`), init);
  return new RunComfyError(describe(`unexpected answer (HTTP ${status})`), init);
}

/** The server's validation detail as issues, when it has a recognizable shape. */
function serverIssues(detail: unknown, redact: (t: string) => string): ValidationIssue[] {
  if (!Array.isArray(detail)) return [];
  return detail.map((d) => {
    const o = (d ?? {}) as Record<string, unknown>;
    const loc = Array.isArray(o.loc) ? "/" + o.loc.filter((x) => x !== "body").join("/") : typeof o.path === "string" ? o.path : "";
    return { path: redact(loc), message: redact(String(o.msg ?? o.message ?? JSON.stringify(d))), source: "schema" as const, severity: "error" as const };
  });
}

function isRetryable(error: RunComfyError, idempotent: boolean): boolean {
  if (error instanceof RateLimitError) return true;
  if (error instanceof NetworkError) return idempotent || error.notSent;
  if (error instanceof ServerError) return idempotent;
  return false;
}

export async function sendOnce(http: HttpOptions, req: HttpRequest): Promise<unknown> {
  const redact = redactor(http.token);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, http.requestTimeoutMs);
  const onAbort = () => controller.abort();
  req.signal?.addEventListener("abort", onAbort, { once: true });
  const where = `${req.method} ${req.path}`;
  try {
    let response: Response;
    try {
      const headers: Record<string, string> = { accept: "application/json" };
      if (http.token) headers.authorization = `Bearer ${http.token}`;
      if (req.body !== undefined) headers["content-type"] = "application/json";
      response = await http.fetch(http.baseUrl + req.path, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
      });
    } catch (e) {
      if (req.signal?.aborted) throw new AbortedError(`aborted: ${where}`, { requestId: req.requestId });
      if (timedOut) throw new NetworkError(`no answer within ${http.requestTimeoutMs} ms: ${where}`, false, { requestId: req.requestId });
      const code = (e as { cause?: { code?: string } }).cause?.code;
      throw new NetworkError(redact(`network error on ${where}: ${code ?? (e as Error).message}`), code !== undefined && NOT_SENT_CODES.has(code), { requestId: req.requestId });
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      if (req.signal?.aborted) throw new AbortedError(`aborted: ${where}`, { requestId: req.requestId });
      throw new NetworkError(`connection dropped while reading the answer to ${where}${timedOut ? ` (no answer within ${http.requestTimeoutMs} ms)` : ""}`, false, { requestId: req.requestId, status: response.status });
    }
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      if (response.ok) throw new NetworkError(`malformed answer to ${where} (HTTP ${response.status}, not JSON)`, false, { requestId: req.requestId, status: response.status });
      body = { message: text.slice(0, 300) };
    }
    const hasErrorCode = !!body && typeof body === "object" && "error_code" in body && (body as Record<string, unknown>).error_code !== null;
    if (!response.ok || hasErrorCode) throw errorFromResponse(response.status, body, response.headers, req.requestId, redact);
    if (body === undefined || typeof body !== "object") throw new NetworkError(`malformed answer to ${where} (HTTP ${response.status}, expected a JSON object)`, false, { requestId: req.requestId, status: response.status });
    return body;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onAbort);
  }
}

/** Sends with the retry policy. */
export async function send(http: HttpOptions, req: HttpRequest): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendOnce(http, req);
    } catch (e) {
      if (!(e instanceof RunComfyError) || attempt >= http.retry.maxRetries || !isRetryable(e, req.idempotent)) throw e;
      const retryAfter = e instanceof RateLimitError ? e.retryAfterMs : undefined;
      const delay = retryAfter !== undefined ? Math.min(retryAfter, http.retry.maxDelayMs) : backoffDelay(attempt, http.retry.baseDelayMs, http.retry.maxDelayMs, http.random);
      await sleep(delay, req.signal, () => new AbortedError(`aborted while waiting to retry ${req.method} ${req.path}`, { requestId: req.requestId }));
    }
  }
}

export { TimeoutError };
