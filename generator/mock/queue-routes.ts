/**
 * The emulator's queue routes, as RunComfy answers them: `POST /v1/models/{model_id}` (validated
 * against the model's schema), `GET /v1/requests/{id}/status|result`, `POST /v1/requests/{id}/cancel`,
 * and the result media. The catalog routes are in catalog.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ValidateFunction } from "ajv";
import { BodyTooLarge, readBody } from "./body.js";
import { answerCatalog, type CatalogModel, catalogEntry, jobCost } from "./catalog.js";
import type { EmulatorOptions, EmulatorStats } from "./emulator.js";
import { error, json } from "./emulator-http.js";
import { END_STATUSES, isEndStatus } from "./end-status.js";
import type { Route } from "./faults.js";
import { outputFor, serveJobMedia } from "./job-output.js";
import type { Job, JobBook } from "./jobs.js";

export interface EmulatorModel extends CatalogModel {
  check: ValidateFunction;
}

/** What the routes read and change. */
export interface EmulatorState {
  options: EmulatorOptions;
  models: Map<string, EmulatorModel>;
  jobs: JobBook;
  stats: EmulatorStats;
  /** `http://127.0.0.1:PORT`, once listening. */
  origin: string;
  maxBody: number;
}

const SUCCESS = new Set(["completed", "succeeded"]);

const urls = (s: EmulatorState, id: string) => ({
  status_url: `${s.origin}/v1/requests/${id}/status`,
  result_url: `${s.origin}/v1/requests/${id}/result`,
  cancel_url: `${s.origin}/v1/requests/${id}/cancel`,
});

export async function answerRoute(
  s: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route | "other",
  url: URL,
  parts: string[],
): Promise<void> {
  if (route === "media") {
    const job = s.jobs.get(parts[1]);
    return serveJobMedia(req, res, job && SUCCESS.has(s.jobs.statusOf(job)) ? job : undefined, parts[2]);
  }
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!token || (s.options.token !== undefined && token !== s.options.token))
    return error(res, 401, 400004, "invalid or missing API token");
  const now = Date.now();
  switch (route) {
    case "models": {
      const answer = answerCatalog(url, parts, s.models, s.options.catalog);
      return json(res, answer.status, answer.body);
    }
    case "submit":
      return submit(s, req, res, parts, now);
    case "status":
    case "result":
    case "cancel": {
      const id = parts[2];
      const job = s.jobs.get(id);
      if (!job) return error(res, 404, 404001, `request ${id} not found`);
      const status = s.jobs.statusOf(job, now);
      if (route === "status")
        return json(res, 200, {
          request_id: id,
          status,
          ...(status === "in_queue" ? { queue_position: s.jobs.queuePosition(job, now) } : {}),
          ...urls(s, id),
        });
      if (route === "result") return result(s, res, job, status, url);
      return cancel(res, job, status, now);
    }
    default:
      return error(res, 404, 404000, `no such endpoint: ${req.method} ${url.pathname}`);
  }
}

async function submit(s: EmulatorState, req: IncomingMessage, res: ServerResponse, parts: string[], now: number) {
  const modelId = parts.slice(2).map(decodeURIComponent).join("/");
  const model = s.models.get(modelId);
  if (!model) return error(res, 404, 404001, `model ${modelId} not found`);
  let input: unknown;
  try {
    input = JSON.parse(await readBody(req, s.maxBody));
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) return error(res, 400, 400001, "the request body is not JSON");
    // Answer, then close: the rest of the body is never read.
    error(res, 413, 413001, `the request body is over ${s.maxBody} bytes`, undefined, { connection: "close" });
    return void res.once("finish", () => req.socket.destroy());
  }
  if (!model.check(input)) {
    const detail = (model.check.errors ?? []).map((e) => ({
      loc: [
        "body",
        ...e.instancePath.split("/").slice(1),
        ...(e.keyword === "required" ? [String(e.params.missingProperty)] : []),
      ],
      msg: e.message,
      type: e.keyword,
    }));
    return error(res, 400, 400001, "input does not match the model's schema", detail);
  }
  const asked = req.headers["x-emulator-end-status"];
  if (asked !== undefined && !isEndStatus(asked))
    return error(res, 400, 400001, `x-emulator-end-status must be one of ${END_STATUSES.join(", ")}`);
  const job = s.jobs.create(modelId, input, now, asked);
  s.stats.submits++;
  return json(res, 200, { request_id: job.id, ...urls(s, job.id) });
}

function result(s: EmulatorState, res: ServerResponse, job: Job, status: string, url: URL) {
  const id = job.id;
  const times = { created_at: new Date(job.createdAt).toISOString() };
  if (SUCCESS.has(status)) {
    const m = s.models.get(job.modelId)!;
    const cost =
      url.searchParams.get("include_cost") === "true"
        ? jobCost(catalogEntry(m, s.options.catalog), m, job.input)
        : undefined;
    return json(res, 200, {
      request_id: id,
      status,
      output: outputFor(s.origin, job, m.ir.output.schema, m.ir.output.generic),
      ...times,
      finished_at: new Date(s.jobs.finishedAt(job)).toISOString(),
      ...(cost === undefined ? {} : { cost }),
    });
  }
  if (status === "failed" || status === "error")
    return json(res, 200, {
      request_id: id,
      status,
      error_message: "the emulated job failed",
      error: "the emulated job failed",
      ...times,
    });
  return json(res, 200, { request_id: id, status, ...times });
}

/** As the service answers (the official CLI's reading): 2xx with an outcome, never an HTTP error. */
function cancel(res: ServerResponse, job: Job, status: string, now: number) {
  const id = job.id;
  if (status === "cancelled") return json(res, 200, { request_id: id, status, outcome: "cancelled" });
  if (status !== "in_queue") return json(res, 200, { request_id: id, status, outcome: "not_cancellable" });
  job.cancelledAt = now;
  return json(res, 200, { request_id: id, status: "cancelled", outcome: "cancelled" });
}
