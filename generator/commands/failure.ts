/**
 * How a command's failure reaches the user: one classification (exit code and type) for every error
 * any command throws, printed as text on stderr, or with `--json` as one JSON object on stdout.
 */
import { GeneratorError, SchemaErrors } from "../shared/errors.js";
import { statusOutcome } from "../runtime/client/job-status.js";
import { CliFailure, cliWording, EXIT, plural } from "./context.js";

/** The `--json` shape of a failure: `{ "error": Failure }`. */
export interface Failure {
  type: string;
  message: string;
  requestId?: string;
  status?: number;
  errorCode?: string | number;
  exitCode: number;
  /** Validation problems (ValidationError), each with a JSON pointer. */
  issues?: { path: string; message: string }[];
  /** What to do next (a job left running: how to follow or cancel it). */
  hint?: string;
  /** An interrupted `run`: the service's answer to the cancel it asked for. */
  cancel?: CancelAnswer;
  /** Schema file problems (generate), each with file, pointer and rule id. */
  errors?: { file: string; line?: number; column?: number; pointer: string; message: string; ruleId: string }[];
}

/**
 * The client's errors come from the generated package (its own copy of the classes), so they are
 * recognised by name, not by `instanceof`.
 */
const SERVICE_ERRORS = new Set([
  "AuthenticationError",
  "InsufficientBalanceError",
  "NotFoundError",
  "RateLimitError",
  "ServerError",
  "NetworkError",
]);
const exitForClientError = (name: string): number | undefined => {
  if (name === "ValidationError" || name === "JobFailedError" || name === "JobCancelledError") return EXIT.failed;
  if (name === "UnknownModelError") return EXIT.usage;
  if (name === "TimeoutError") return EXIT.pending;
  if (name === "AbortedError") return EXIT.interrupted;
  if (SERVICE_ERRORS.has(name) || name === "RunComfyError") return EXIT.service;
  return undefined;
};

interface ClientErrorLike extends Error {
  requestId?: string;
  status?: number;
  errorCode?: string | number;
  issues?: { path: string; message: string }[];
  /** AbortedError: the answer to the cancel `run` asked for. */
  cancel?: CancelAnswer;
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function describeFailure(e: unknown): Failure {
  if (e instanceof CliFailure) return { type: e.type, message: e.message, exitCode: e.exitCode };
  if (e instanceof GeneratorError) return { type: e.name, message: e.message, exitCode: e.exitCode };
  if (e instanceof SchemaErrors) {
    return {
      type: "SchemaErrors",
      message: `${plural(e.errors.length, "error")} in the schema files; nothing was written`,
      exitCode: EXIT.failed,
      errors: e.errors.map((x) =>
        defined({
          file: x.file,
          line: x.position?.line,
          column: x.position?.column,
          pointer: x.pointer,
          message: x.detail,
          ruleId: x.ruleId,
        }),
      ),
    };
  }
  if (e instanceof Error) {
    const exitCode = exitForClientError(e.name);
    if (exitCode !== undefined) {
      const c = e as ClientErrorLike;
      const issues = c.issues?.map((i) => ({ path: i.path, message: i.message }));
      const hint = !c.requestId
        ? undefined
        : e.name === "TimeoutError"
          ? followUpHint(c.requestId)
          : e.name === "AbortedError"
            ? abortHint(c.requestId, c.cancel, c.cause !== undefined)
            : undefined;
      return defined({
        type: e.name,
        message: e.message,
        requestId: c.requestId,
        status: c.status,
        errorCode: c.errorCode,
        exitCode,
        issues: issues?.length ? issues : undefined,
        hint,
        cancel: e.name === "AbortedError" ? c.cancel : undefined,
      });
    }
  }
  return { type: "InternalError", message: e instanceof Error ? e.message : String(e), exitCode: EXIT.internal };
}

/** How to pick up a job the CLI stopped waiting for. */
export const followUpHint = (requestId: string) =>
  `the job keeps running (and is billed): follow it with \`runcomfy-codegen status ${requestId}\`, get its output with \`runcomfy-codegen result ${requestId}\`, or stop it while queued with \`runcomfy-codegen cancel ${requestId}\``;

/** The answer to a cancel (the client's CancelResult): `cancelled` null when the answer did not say. */
type CancelAnswer = { cancelled: boolean | null; status?: string };

/**
 * What an interrupted command left behind: `run`'s from the answer to its cancel (none and
 * `cancelFailed`: the cancel request failed; `cancelled: null`: the answer did not say — both
 * unknown); `result --wait` asks none, the job goes on.
 */
export function abortHint(requestId: string, cancel: CancelAnswer | undefined, cancelFailed: boolean): string {
  const cli = "runcomfy-codegen";
  if (!cancel && !cancelFailed) return followUpHint(requestId);
  if (cancel?.cancelled) return `cancelled while queued: nothing billed [request ${requestId}]`;
  const known = cancel?.cancelled === false ? cancel : undefined;
  if (known?.status !== undefined && statusOutcome(known.status) === "succeeded")
    return `it had already finished: get its output with \`${cli} result ${requestId}\``;
  const follow = `follow it with \`${cli} status ${requestId}\`, get its output with \`${cli} result ${requestId}\``;
  return known
    ? `already running: it keeps running and is billed; ${follow} (\`${cli} cancel ${requestId}\` cancels only queued jobs)`
    : `not known whether it was cancelled: it may keep running and be billed; ${follow}, or try \`${cli} cancel ${requestId}\` again`;
}

/** The text form, for stderr. Internal errors keep their stack (they are bugs to report). */
export function formatFailure(f: Failure, e: unknown): string {
  if (f.type === "InternalError") return `internal error: ${(e instanceof Error && e.stack) || f.message}\n`;
  if (f.errors)
    return `${f.errors.map((x) => `error: ${x.file}${x.pointer ? `#${x.pointer}` : ""}: ${x.message}${x.line !== undefined ? ` (line ${x.line}, column ${x.column})` : ""} [${x.ruleId}]`).join("\n")}\n${plural(f.errors.length, "error")}; nothing was written.\n`;
  const prefix = e instanceof CliFailure || e instanceof GeneratorError ? "" : `${f.type}: `;
  const issues = f.issues ? f.issues.map((i) => `\n  ${i.path || "/"}  ${i.message}`).join("") : "";
  return cliWording(`${prefix}${f.message}${issues}\n${f.hint ? `${f.hint}\n` : ""}`);
}

/** True when the command line asks for machine-readable output (`--json`, `--format json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--json" || a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}
