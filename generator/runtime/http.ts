/**
 * The client's HTTP layer: one request with a per-request timeout, RunComfy's error bodies mapped to
 * the error hierarchy, and the retry policy. Web-standard APIs only.
 *
 * Retry policy: GETs and cancel are retried on 429, 5xx and network errors (backoff with jitter,
 * honouring Retry-After on 429 and 5xx). Submit is not idempotent — a duplicate job costs money — so it
 * is retried only on 429 (the server refused it) or when the request provably never reached the server
 * (no connection was made); never after a timeout, a dropped connection or any other answer. Redirects
 * are never followed: a request that got an answer was sent, whatever a later hop does.
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
  ValidationError,
  type RunComfyErrorInit,
} from "./errors.js";
import type { ValidationIssue } from "./issues.js";
import { createRedactor, truncate, type Redactor } from "./redact.js";

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
  /** Called with the headers of the answer that is returned (e.g. to read a Retry-After on a 200). */
  onHeaders?: (headers: Headers) => void;
}

/** Error codes in RunComfy's bodies that decide the error class whatever the HTTP status. */
const ERROR_CODES: Record<string, new (message: string, init?: RunComfyErrorInit) => RunComfyError> = {
  "400004": AuthenticationError,
  "400002": InsufficientBalanceError,
  "404001": NotFoundError,
};

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

/** Longest server message kept in an error (after redaction). */
const MAX_SERVER_TEXT = 500;

/** The message of an error body, read as RunComfy's clients read it: error_message, message, error, detail. */
export function serverMessage(body: Record<string, unknown>): string | undefined {
  for (const key of ["error_message", "message", "error", "detail"]) {
    const v = body[key];
    if (typeof v === "string" && v) return truncate(v, MAX_SERVER_TEXT);
  }
  return undefined;
}

/**
 * Maps an HTTP answer carrying an error (by status or by `error_code`) to the hierarchy. `body` is
 * already redacted (see `sendOnce`): nothing here reads the raw answer.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Headers,
  requestId: string | undefined,
): RunComfyError {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const rawCode = b.error_code ?? b.code;
  const errorCode =
    typeof rawCode === "string" ? truncate(rawCode, 100) : typeof rawCode === "number" ? rawCode : undefined;
  const message = serverMessage(b);
  const init: RunComfyErrorInit = { requestId, status, errorCode, detail: b.detail };
  const describe = (what: string) =>
    `${what}${message ? `: ${message}` : ""}${errorCode !== undefined ? ` (error_code ${errorCode})` : ""}${requestId ? ` [request ${requestId}]` : ""}`;
  const byCode =
    errorCode !== undefined && Object.hasOwn(ERROR_CODES, String(errorCode))
      ? ERROR_CODES[String(errorCode)]
      : undefined;
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  if (byCode) return new byCode(describe(`RunComfy answered HTTP ${status}`), init);
  if (status === 400 || status === 422)
    return new ValidationError(describe(`RunComfy rejected the input (HTTP ${status})`), serverIssues(b.detail), init);
  if (status === 401 || status === 403)
    return new AuthenticationError(describe(`not authorized (HTTP ${status}); check the API token`), init);
  if (status === 402) return new InsufficientBalanceError(describe("insufficient balance (HTTP 402)"), init);
  if (status === 404) return new NotFoundError(describe("not found (HTTP 404)"), init);
  if (status === 429) return new RateLimitError(describe("rate limited (HTTP 429)"), retryAfterMs, init);
  if (status >= 500) return new ServerError(describe(`RunComfy server error (HTTP ${status})`), retryAfterMs, init);
  return new RunComfyError(describe(`unexpected answer (HTTP ${status})`), init);
}

/** The server's validation detail as issues, when it has a recognizable shape. */
function serverIssues(detail: unknown): ValidationIssue[] {
  if (!Array.isArray(detail)) return [];
  return detail.map((d) => {
    const o = (d ?? {}) as Record<string, unknown>;
    const loc = Array.isArray(o.loc)
      ? "/" + o.loc.filter((x) => x !== "body").join("/")
      : typeof o.path === "string"
        ? o.path
        : "";
    return {
      path: loc,
      message: truncate(String(o.msg ?? o.message ?? JSON.stringify(d)), MAX_SERVER_TEXT),
      source: "schema" as const,
      severity: "error" as const,
    };
  });
}

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
    text = await response.text();
  } catch {
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
  const hasErrorCode =
    !!body && typeof body === "object" && "error_code" in body && (body as Record<string, unknown>).error_code !== null;
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
