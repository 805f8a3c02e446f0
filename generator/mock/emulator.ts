/**
 * An offline RunComfy emulator: serves the queue API on 127.0.0.1 from the schema files, validates
 * submits against each model's schema as the service does, runs jobs on a configurable clock, serves
 * the catalog and the result media itself, and injects faults on request. Counts everything it does,
 * so tests can check, for instance, that a client never submitted a job twice.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ValidateFunction } from "ajv";
import { AjvClass } from "../shared/ajv.js";
import { loadSchemaDir } from "../load/load.js";
import { buildModel, type ModelIR } from "../model/model.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../normalize/normalize.js";
import type { SchemaNode } from "../normalize/normalize.js";
import { validatorView } from "../emit/schema-views.js";
import { isMediaUrl } from "../runtime/formats.js";
import { FaultPlan, seededRandom, type FaultRule, type Route } from "./faults.js";
import { png } from "./images.js";
import { serveBytes } from "./serve-media.js";
import { answerCatalog, catalogEntry, checkCatalogOverrides, jobCost, type CatalogOverrides } from "./catalog.js";
import { END_STATUSES, type EndStatus, isEndStatus } from "./end-status.js";

export { END_STATUSES, type EndStatus };

export interface EmulatorOptions {
  schemasDir: string;
  port?: number;
  /** The only token accepted. Default: any non-empty bearer token. */
  token?: string;
  /** Time a job waits in the queue, ms: a number or [min, max]. Default 300. */
  queueMs?: number | [number, number];
  /** Time a job runs, ms: a number or [min, max]. Default 700. */
  runMs?: number | [number, number];
  /** A phase between queue and run with a status clients may not know (servers add statuses). */
  extraPhase?: { status: string; ms: number };
  /** Share of jobs that end "failed". Default 0. */
  failRate?: number;
  /**
   * The status every finished job ends in: "completed" (default), "succeeded", "failed", "error",
   * "cancelled" or "canceled" (the terminal statuses RunComfy's official clients handle). A submit's
   * `x-emulator-end-status` header sets it for that job.
   */
  endStatus?: EndStatus;
  seed?: number;
  faults?: FaultRule[];
  /** Catalog fields per model id (display_name, categories, kind, base_price_usd, …) over the derived ones. */
  catalog?: CatalogOverrides;
  /** Largest request body accepted, bytes; larger ones get 413. Default 100 MiB (RunComfy's clients send media as data URIs of up to 64 MiB). */
  maxBodyBytes?: number;
}

const SUCCESS = new Set(["completed", "succeeded"]);

/** Default bound of a request body. */
export const MAX_BODY_BYTES = 100 * 2 ** 20;

/** A request body over the emulator's bound. */
class BodyTooLarge extends Error {}

export interface EmulatorStats {
  /** Jobs created by accepted submits. */
  submits: number;
  /** Requests per route, faults included. */
  requests: Record<Route | "other", number>;
  faultsInjected: number;
  /** Jobs by current status. */
  jobs: Record<string, number>;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  origin: string;
  stats(): EmulatorStats;
  setFaults(rules: FaultRule[]): void;
  /** Every job created, in order (tests check that no job was submitted twice). */
  jobs(): { requestId: string; modelId: string; input: unknown; status: string }[];
  /** The input a job was submitted with (tests check what reached the server). */
  job(requestId: string): { modelId: string; input: unknown; status: string; finishedAt: number } | undefined;
  close(): Promise<void>;
}

interface Job {
  id: string;
  modelId: string;
  input: unknown;
  createdAt: number;
  queueMs: number;
  runMs: number;
  cancelledAt?: number;
  /** The status the job ends in once it has run. */
  end: EndStatus;
}

const pick = (v: number | [number, number], r: () => number) =>
  Array.isArray(v) ? Math.round(v[0] + (v[1] - v[0]) * r()) : v;

/** A few bytes that identify as MP4 (an `ftyp` box) and as WAV, for video and audio results. */
const MP4 = Uint8Array.from([
  0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0, 0x69, 0x73, 0x6f, 0x6d, 0x6d, 0x70, 0x34,
  0x31,
]);
const WAV = new TextEncoder().encode("RIFF$\u0000\u0000\u0000WAVEfmt ");

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { files, errors } = await loadSchemaDir(options.schemasDir);
  if (errors.length)
    throw new Error(`the emulator cannot load ${options.schemasDir}:\n${errors.map((e) => e.message).join("\n")}`);
  const random = seededRandom(options.seed ?? 1);
  const faults = new FaultPlan(options.faults ?? [], seededRandom((options.seed ?? 1) + 1));
  const models = new Map<string, { ir: ModelIR; raw: (typeof files)[number]; check: ValidateFunction }>();
  const ajv = new AjvClass({ allErrors: true, strict: false });
  for (const kind of ["image", "video", "audio"] as const)
    ajv.addFormat(`${kind}_uri`, (v: string) => isMediaUrl(v, kind, { allowHttp: true, allowDataUris: true }));
  ajv.addFormat("uri", (v: string) => /^[a-z][a-z0-9+.-]*:/i.test(v));
  for (const f of ["date-time", "date", "email", "uuid"]) ajv.addFormat(f, () => true);
  for (const f of files) {
    const ir = buildModel(
      f,
      "schemas",
      normalizeInputSchema(f.inputSchema, f.file),
      normalizeOutputSchema(f.outputSchema, f.file),
    );
    models.set(f.modelId, { ir, raw: f, check: ajv.compile(validatorView(ir.input.schema)) });
  }
  if (options.catalog !== undefined) checkCatalogOverrides(options.catalog, models);
  const jobs = new Map<string, Job>();
  const stats: EmulatorStats = {
    submits: 0,
    requests: { submit: 0, status: 0, result: 0, cancel: 0, models: 0, media: 0, other: 0 },
    faultsInjected: 0,
    jobs: {},
  };
  let origin = "";

  const statusOf = (job: Job, now = Date.now()): string => {
    if (job.cancelledAt !== undefined) return "cancelled";
    if (now < job.createdAt + job.queueMs) return "in_queue";
    const extra = options.extraPhase;
    if (extra && now < job.createdAt + job.queueMs + extra.ms) return extra.status;
    if (now < job.createdAt + job.queueMs + (extra?.ms ?? 0) + job.runMs) return "in_progress";
    return job.end;
  };
  const queuePosition = (job: Job, now: number) =>
    1 +
    [...jobs.values()].filter((j) => j !== job && j.createdAt <= job.createdAt && statusOf(j, now) === "in_queue")
      .length;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (
    res: ServerResponse,
    status: number,
    errorCode: number,
    message: string,
    detail?: unknown,
    headers?: Record<string, string>,
  ) => json(res, status, { error_code: errorCode, message, ...(detail === undefined ? {} : { detail }) }, headers);

  const urls = (id: string) => ({
    status_url: `${origin}/v1/requests/${id}/status`,
    result_url: `${origin}/v1/requests/${id}/result`,
    cancel_url: `${origin}/v1/requests/${id}/cancel`,
  });

  /** Output for a finished job: every media URL points at media this emulator serves. */
  const outputFor = (job: Job, schema: SchemaNode, generic: boolean): Record<string, unknown> => {
    const media = (name: string, kind: "image" | "video" | "audio") =>
      `${origin}/media/${job.id}/${name}.${kind === "image" ? "png" : kind === "video" ? "mp4" : "wav"}`;
    if (generic) {
      const kind = /video/.test(job.modelId) ? "video" : /audio|speech|music/.test(job.modelId) ? "audio" : "image";
      return { [kind]: media(kind, kind) };
    }
    const sample = (node: SchemaNode, name: string): unknown => {
      const type = Array.isArray(node.type) ? node.type[0] : node.type;
      if (node.enum) return node.enum[0];
      if (type === "string")
        return node.format === "uri" || node["x-media"] ? media(name, node["x-media"] ?? "image") : "emulated";
      if (type === "integer" || type === "number") return 1;
      if (type === "boolean") return true;
      if (type === "array") return node.items ? [sample(node.items, `${name}-0`)] : [];
      if (type === "object")
        return Object.fromEntries(Object.entries(node.properties ?? {}).map(([k, v]) => [k, sample(v, k)]));
      return null;
    };
    return sample(schema, "output") as Record<string, unknown>;
  };

  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  /** The body as text, bounded: over `maxBody` (declared or streamed) it stops reading and rejects. */
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      if (Number(req.headers["content-length"] ?? 0) > maxBody) return reject(new BodyTooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          req.removeAllListeners("data");
          req.pause();
          return reject(new BodyTooLarge());
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route | "other",
    url: URL,
    parts: string[],
  ) => {
    if (route === "media") {
      const [, id, file] = parts;
      const job = jobs.get(id);
      if (!job || !SUCCESS.has(statusOf(job))) return void res.writeHead(404).end();
      const body = file.endsWith(".png") ? png(64, 64) : file.endsWith(".mp4") ? MP4 : WAV;
      return serveBytes(req, res, body, {
        contentType: file.endsWith(".png") ? "image/png" : file.endsWith(".mp4") ? "video/mp4" : "audio/wav",
      });
    }
    const auth = req.headers.authorization ?? "";
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token || (options.token !== undefined && token !== options.token))
      return error(res, 401, 400004, "invalid or missing API token");
    const now = Date.now();
    switch (route) {
      case "models": {
        const answer = answerCatalog(url, parts, models, options.catalog);
        return json(res, answer.status, answer.body);
      }
      case "submit": {
        const modelId = parts.slice(2).map(decodeURIComponent).join("/");
        const model = models.get(modelId);
        if (!model) return error(res, 404, 404001, `model ${modelId} not found`);
        let input: unknown;
        try {
          input = JSON.parse(await readBody(req));
        } catch (e) {
          if (!(e instanceof BodyTooLarge)) return error(res, 400, 400001, "the request body is not JSON");
          // Answer, then close: the rest of the body is never read.
          error(res, 413, 413001, `the request body is over ${maxBody} bytes`, undefined, { connection: "close" });
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
        const id = randomUUID();
        const asked = req.headers["x-emulator-end-status"];
        if (asked !== undefined && !isEndStatus(asked))
          return error(res, 400, 400001, `x-emulator-end-status must be one of ${END_STATUSES.join(", ")}`);
        const end: EndStatus =
          asked ?? (random() < (options.failRate ?? 0) ? "failed" : (options.endStatus ?? "completed"));
        jobs.set(id, {
          id,
          modelId,
          input,
          createdAt: now,
          queueMs: pick(options.queueMs ?? 300, random),
          runMs: pick(options.runMs ?? 700, random),
          end,
        });
        stats.submits++;
        return json(res, 200, { request_id: id, ...urls(id) });
      }
      case "status":
      case "result":
      case "cancel": {
        const id = parts[2];
        const job = jobs.get(id);
        if (!job) return error(res, 404, 404001, `request ${id} not found`);
        const status = statusOf(job, now);
        if (route === "status")
          return json(res, 200, {
            request_id: id,
            status,
            ...(status === "in_queue" ? { queue_position: queuePosition(job, now) } : {}),
            ...urls(id),
          });
        if (route === "result") {
          const times = { created_at: new Date(job.createdAt).toISOString() };
          if (SUCCESS.has(status)) {
            const m = models.get(job.modelId)!;
            const cost =
              url.searchParams.get("include_cost") === "true"
                ? jobCost(catalogEntry(m, options.catalog), m, job.input)
                : undefined;
            return json(res, 200, {
              request_id: id,
              status,
              output: outputFor(job, m.ir.output.schema, m.ir.output.generic),
              ...times,
              finished_at: new Date(
                job.createdAt + job.queueMs + (options.extraPhase?.ms ?? 0) + job.runMs,
              ).toISOString(),
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
        // As the service answers (the official CLI's reading): 2xx with an outcome, never an HTTP error.
        if (status === "cancelled") return json(res, 200, { request_id: id, status, outcome: "cancelled" });
        if (status !== "in_queue") return json(res, 200, { request_id: id, status, outcome: "not_cancellable" });
        job.cancelledAt = now;
        return json(res, 200, { request_id: id, status: "cancelled", outcome: "cancelled" });
      }
      default:
        return error(res, 404, 404000, `no such endpoint: ${req.method} ${url.pathname}`);
    }
  };

  const routeOf = (method: string, parts: string[]): Route | "other" => {
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

  const server: Server = createServer(async (req, res) => {
    // Browsers call the API from other origins: allow any, and answer their preflights.
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-expose-headers", "retry-after");
    if (req.method === "OPTIONS")
      return void res
        .writeHead(204, {
          "access-control-allow-methods": "GET, POST",
          "access-control-allow-headers": "authorization, content-type",
          "access-control-max-age": "600",
        })
        .end();
    const url = new URL(req.url ?? "/", "http://emulator");
    const parts = url.pathname.split("/").filter(Boolean);
    if (url.pathname === "/__emulator/stats") return json(res, 200, currentStats());
    const route = routeOf(req.method ?? "GET", parts);
    stats.requests[route]++;
    const fired = route === "other" ? [] : faults.pick(route);
    stats.faultsInjected += fired.length;
    try {
      for (const f of fired) if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      const answers = (f: FaultRule) => !!(f.drop || f.malformed || f.status || f.okWithErrorCode || f.echoToken);
      const before = fired.find((f) => !f.after && answers(f));
      const after = fired.find((f) => f.after && answers(f));
      if (before) return inject(req, res, before);
      if (after) {
        // Handle for real (the job exists), then answer with the fault instead.
        const sink = Object.assign(Object.create(res), {
          writeHead: () => sink,
          end: () => sink,
          destroyed: false,
        }) as ServerResponse;
        await handle(req, sink, route, url, parts);
        return inject(req, res, after);
      }
      await handle(req, res, route, url, parts);
    } catch (e) {
      error(res, 500, 500000, `emulator error: ${(e as Error).message}`);
    }
  });

  const inject = (req: IncomingMessage, res: ServerResponse, fault: FaultRule) => {
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
  };

  const currentStats = (): EmulatorStats => {
    const byStatus: Record<string, number> = {};
    for (const j of jobs.values()) byStatus[statusOf(j)] = (byStatus[statusOf(j)] ?? 0) + 1;
    return { ...stats, requests: { ...stats.requests }, jobs: byStatus };
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    stats: currentStats,
    setFaults: (rules) => faults.set(rules),
    jobs: () =>
      [...jobs.values()].map((j) => ({ requestId: j.id, modelId: j.modelId, input: j.input, status: statusOf(j) })),
    job: (id) => {
      const j = jobs.get(id);
      return (
        j && {
          modelId: j.modelId,
          input: j.input,
          status: statusOf(j),
          finishedAt: j.createdAt + j.queueMs + (options.extraPhase?.ms ?? 0) + j.runMs,
        }
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
