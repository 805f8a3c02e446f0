/**
 * An offline RunComfy emulator: serves the queue API on 127.0.0.1 from the schema files, validates
 * submits against each model's schema as the service does, runs jobs on a configurable clock, serves
 * the catalog and the result media itself, and injects faults on request. Counts everything it does,
 * so tests can check, for instance, that a client never submitted a job twice.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadSchemaDir } from "../load/load.js";
import { buildModel } from "../model/model.js";
import { normalizeInputSchema, normalizeOutputSchema } from "../normalize/normalize.js";
import { formats, mediaFormat } from "../runtime/validation/formats.js";
import { newSchemaAjv, validatorView } from "../shared/ajv.js";
import { MAX_BODY_BYTES } from "./body.js";
import { type CatalogOverrides, checkCatalogOverrides } from "./catalog.js";
import { answerCors, answerWithFaults, error, json, routeOf } from "./emulator-http.js";
import { END_STATUSES, type EndStatus } from "./end-status.js";
import { FaultPlan, type FaultRule, type Route, seededRandom } from "./faults.js";
import { JobBook } from "./jobs.js";
import { answerRoute, type EmulatorModel, type EmulatorState } from "./queue-routes.js";

export { END_STATUSES, type EndStatus, MAX_BODY_BYTES };

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
  /** Largest request body accepted, bytes; larger ones get 413. Default MAX_BODY_BYTES (body.ts). */
  maxBodyBytes?: number;
}

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
  /** Jobs made per distinct model and input (a submission counter per input: a count above 1 is a duplicate job). */
  submissionsPerInput(): { modelId: string; input: unknown; count: number }[];
  /** The input a job was submitted with (tests check what reached the server). */
  job(requestId: string): { modelId: string; input: unknown; status: string; finishedAt: number } | undefined;
  close(): Promise<void>;
}

/** Each model of the schema folder, with a validator that accepts what the service would. */
async function loadModels(schemasDir: string): Promise<Map<string, EmulatorModel>> {
  const { files, errors } = await loadSchemaDir(schemasDir);
  if (errors.length)
    throw new Error(`the emulator cannot load ${schemasDir}:\n${errors.map((e) => e.message).join("\n")}`);
  const models = new Map<string, EmulatorModel>();
  // The package's own format checks, except that media and URIs are taken as the service takes them
  // (plain http and data URIs too; any scheme for a uri): never stricter than the service.
  const service = (kind: "image" | "video" | "audio") => mediaFormat(kind, { allowHttp: true, allowDataUris: true });
  const ajv = newSchemaAjv({
    messages: true,
    formats: {
      ...formats,
      image_uri: service("image"),
      video_uri: service("video"),
      audio_uri: service("audio"),
      uri: (v: string) => /^[a-z][a-z0-9+.-]*:/i.test(v),
    },
  });
  for (const f of files) {
    const ir = buildModel(
      f,
      "schemas",
      normalizeInputSchema(f.inputSchema, f.file),
      normalizeOutputSchema(f.outputSchema, f.file),
    );
    models.set(f.modelId, { ir, raw: f, check: ajv.compile(validatorView(ir.input.schema)) });
  }
  return models;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const models = await loadModels(options.schemasDir);
  if (options.catalog !== undefined) checkCatalogOverrides(options.catalog, models);
  const faults = new FaultPlan(options.faults ?? [], seededRandom((options.seed ?? 1) + 1));
  const jobs = new JobBook(options, seededRandom(options.seed ?? 1));
  const s: EmulatorState = {
    options,
    models,
    jobs,
    stats: {
      submits: 0,
      requests: { submit: 0, status: 0, result: 0, cancel: 0, models: 0, media: 0, other: 0 },
      faultsInjected: 0,
      jobs: {},
    },
    origin: "",
    maxBody: options.maxBodyBytes ?? MAX_BODY_BYTES,
  };
  const currentStats = (): EmulatorStats => ({
    ...s.stats,
    requests: { ...s.stats.requests },
    jobs: jobs.countByStatus(),
  });

  const server: Server = createServer(async (req, res) => {
    if (answerCors(req, res)) return;
    const url = new URL(req.url ?? "/", "http://emulator");
    const parts = url.pathname.split("/").filter(Boolean);
    if (url.pathname === "/__emulator/stats") return json(res, 200, currentStats());
    const route = routeOf(req.method ?? "GET", parts);
    s.stats.requests[route]++;
    const fired = route === "other" ? [] : faults.pick(route);
    s.stats.faultsInjected += fired.length;
    try {
      await answerWithFaults(req, res, fired, (answer) => answerRoute(s, req, answer, route, url, parts));
    } catch (e) {
      error(res, 500, 500000, `emulator error: ${(e as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  s.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${s.origin}/v1`,
    origin: s.origin,
    stats: currentStats,
    setFaults: (rules) => faults.set(rules),
    jobs: () =>
      jobs.all().map((j) => ({ requestId: j.id, modelId: j.modelId, input: j.input, status: jobs.statusOf(j) })),
    submissionsPerInput: () => jobs.submissionsPerInput(),
    job: (id) => {
      const j = jobs.get(id);
      return j && { modelId: j.modelId, input: j.input, status: jobs.statusOf(j), finishedAt: jobs.finishedAt(j) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
