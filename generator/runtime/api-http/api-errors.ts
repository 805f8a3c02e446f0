/**
 * RunComfy's error answers mapped to the error hierarchy: by `error_code` where it decides, else by
 * HTTP status; messages read as RunComfy's own clients read them. Bodies reaching here are redacted.
 */
import { parseRetryAfter } from "./backoff.js";
import {
  AuthenticationError,
  InsufficientBalanceError,
  NotFoundError,
  RateLimitError,
  RunComfyError,
  ServerError,
  ValidationError,
  type RunComfyErrorInit,
} from "../errors.js";
import type { ValidationIssue } from "../validation/issues.js";
import { truncate } from "./redact.js";

/** Error codes in RunComfy's bodies that decide the error class whatever the HTTP status. */
const ERROR_CODES: Record<string, new (message: string, init?: RunComfyErrorInit) => RunComfyError> = {
  "400004": AuthenticationError,
  "400002": InsufficientBalanceError,
  "404001": NotFoundError,
};

/** Longest server message kept in an error (after redaction). */
export const MAX_SERVER_TEXT = 500;

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
