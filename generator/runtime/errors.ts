/**
 * One error hierarchy for everything the generated package throws. Each error carries the request id
 * where known, the HTTP status, and RunComfy's `error_code`, message and `detail`. No error ever holds
 * the API token: messages are built from ids and from server answers that went through the redactor
 * (api-http/redact.ts) as they arrived, never from request headers. Each class names itself literally: a
 * minifier renames classes, so `new.target.name` would make `e.name` (and `toJSON()`) a mangled letter.
 */
import type { CancelResult } from "./client/job-status.js";
import type { ValidationIssue } from "./validation/issues.js";

export interface RunComfyErrorInit {
  requestId?: string;
  status?: number;
  errorCode?: string | number;
  detail?: unknown;
  cause?: unknown;
}

export class RunComfyError extends Error {
  override name = "RunComfyError";
  readonly requestId?: string;
  readonly status?: number;
  readonly errorCode?: string | number;
  readonly detail?: unknown;
  constructor(message: string, init: RunComfyErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.requestId = init.requestId;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.detail = init.detail;
  }
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      requestId: this.requestId,
      status: this.status,
      errorCode: this.errorCode,
      detail: this.detail,
    };
  }
}

/** The model id is not in this package (or not known to the server). */
export class UnknownModelError extends RunComfyError {
  override name = "UnknownModelError";
  constructor(
    readonly modelId: string,
    init: RunComfyErrorInit = {},
  ) {
    super(`unknown model id ${JSON.stringify(modelId)}`, init);
  }
}

/** The input is invalid: found before sending (client-side) or reported by the server (400/422). */
export class ValidationError extends RunComfyError {
  override name = "ValidationError";
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
    init: RunComfyErrorInit = {},
  ) {
    super(message, init);
  }
}
/** 401/403: the token is missing, wrong or not allowed. */
export class AuthenticationError extends RunComfyError {
  override name = "AuthenticationError";
}
/** 402: the account's balance does not cover the job. */
export class InsufficientBalanceError extends RunComfyError {
  override name = "InsufficientBalanceError";
}
/** 404: no such model or request. */
export class NotFoundError extends RunComfyError {
  override name = "NotFoundError";
}
/** 429: too many requests; `retryAfterMs` says when to try again, if the server said. */
export class RateLimitError extends RunComfyError {
  override name = "RateLimitError";
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    init: RunComfyErrorInit = {},
  ) {
    super(message, init);
  }
}
/** 5xx from the service; `retryAfterMs` when it sent Retry-After (honoured by the retries). */
export class ServerError extends RunComfyError {
  override name = "ServerError";
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    init: RunComfyErrorInit = {},
  ) {
    super(message, init);
  }
}
/** The request did not complete: connection refused or dropped, DNS, TLS, a malformed answer. */
export class NetworkError extends RunComfyError {
  override name = "NetworkError";
  /** True when the request provably never reached the server (connection refused / not resolved). */
  readonly notSent: boolean;
  constructor(message: string, notSent: boolean, init: RunComfyErrorInit = {}) {
    super(message, init);
    this.notSent = notSent;
  }
}
/** An overall timeout passed. */
export class TimeoutError extends RunComfyError {
  override name = "TimeoutError";
}
/**
 * The caller's AbortSignal fired. When `run` or `subscribe` had submitted the job, it asked the
 * service to cancel it first: `cancel` is that answer (`cancelled: true` while it was queued, nothing
 * billed; else it keeps running and is billed), absent when the cancel request itself failed (its
 * error is the `cause`) or when nothing was submitted or asked.
 */
export class AbortedError extends RunComfyError {
  override name = "AbortedError";
  readonly cancel?: CancelResult;
  constructor(message: string, init: RunComfyErrorInit & { cancel?: CancelResult } = {}) {
    super(message, init);
    this.cancel = init.cancel;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.cancel ? { cancel: this.cancel } : {}) };
  }
}
/** The job was cancelled before it ran. */
export class JobCancelledError extends RunComfyError {
  override name = "JobCancelledError";
}
/** The job ran and failed on the server. */
export class JobFailedError extends RunComfyError {
  override name = "JobFailedError";
}
