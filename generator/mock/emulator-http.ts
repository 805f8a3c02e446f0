/**
 * The emulator's HTTP plumbing: JSON and RunComfy error answers, which route a request is, the CORS
 * headers browsers need, and the injected faults (delays, drops, malformed or error answers).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultRule, Route } from "./faults.js";
import { allowCrossOrigin } from "./serve-media.js";

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

/** A RunComfy error body: `error_code`, `message` and, for validation errors, `detail`. */
export const error = (
  res: ServerResponse,
  status: number,
  errorCode: number,
  message: string,
  detail?: unknown,
  headers?: Record<string, string>,
) => json(res, status, { error_code: errorCode, message, ...(detail === undefined ? {} : { detail }) }, headers);

export const routeOf = (method: string, parts: string[]): Route | "other" => {
  if (parts[0] === "media") return "media";
  if (parts[0] !== "v1") return "other";
  if (parts[1] === "models" && method === "GET") return "models";
  if (parts[1] === "models" && parts.length > 2 && method === "POST") return "submit";
  if (parts[1] === "requests" && parts.length === 4) {
    if (parts[3] === "status" && method === "GET") return "status";
    if (parts[3] === "result" && method === "GET") return "result";
    if (parts[3] === "cancel" && method === "POST") return "cancel";
  }
  return "other";
};

/** Browsers call the API from other origins: allow any; true when this answered a preflight. */
export const answerCors = (req: IncomingMessage, res: ServerResponse) =>
  allowCrossOrigin(req, res, {
    exposeHeaders: "retry-after",
    allowMethods: "GET, POST",
    allowHeaders: "authorization, content-type",
  });

/**
 * Answers with the faults that fired for this request: waits their delays, then a fault that answers
 * before handling replaces the answer; one that answers after lets `handle` run (a submit creates its
 * job) into a sink, then replaces the answer. With no answering fault, `handle` answers.
 */
export async function answerWithFaults(
  req: IncomingMessage,
  res: ServerResponse,
  fired: FaultRule[],
  handle: (res: ServerResponse) => Promise<void>,
): Promise<void> {
  for (const f of fired) if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
  const answers = (f: FaultRule) => !!(f.drop || f.malformed || f.status || f.okWithErrorCode || f.echoToken);
  const before = fired.find((f) => !f.after && answers(f));
  const after = fired.find((f) => f.after && answers(f));
  if (before) return injectFault(req, res, before);
  if (after) {
    const sink = Object.assign(Object.create(res), {
      writeHead: () => sink,
      end: () => sink,
      destroyed: false,
    }) as ServerResponse;
    await handle(sink);
    return injectFault(req, res, after);
  }
  await handle(res);
}

function injectFault(req: IncomingMessage, res: ServerResponse, fault: FaultRule): void {
  if (fault.drop) return void req.socket.destroy();
  if (fault.echoToken)
    return error(
      res,
      fault.status ?? 500,
      fault.errorCode ?? 500002,
      `bad request from ${req.headers.authorization ?? "?"}`,
      { authorization: req.headers.authorization },
    );
  if (fault.okWithErrorCode)
    return json(res, 200, { error_code: fault.errorCode ?? 500001, message: "injected error in a 200 answer" });
  if (fault.malformed) {
    res.writeHead(200, { "content-type": "application/json" });
    return void res.end('{"request_id": "trunc');
  }
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {};
  error(
    res,
    fault.status!,
    fault.errorCode ?? fault.status! * 1000,
    `injected fault: HTTP ${fault.status}`,
    undefined,
    headers,
  );
}
