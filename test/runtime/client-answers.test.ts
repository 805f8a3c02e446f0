/**
 * Answers read as RunComfy's official clients read them (issue 25 §2), through real HTTP: cancel
 * answers that say nothing, the partner nodes' own cancel fixture, a failed job's reason at HTTP 200,
 * and the emulator's catalog names and help.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../generator/mock/emulator.js";
import { AbortedError, createClient, JobFailedError } from "../../generated/index.js";
import { captureCli, SCHEMAS, tempDir } from "../helpers.js";

const TOKEN = "rc-answers-token-4e2";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const FAST = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 };
const tmp = tempDir();
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  tmp.cleanup();
});

type Route = "submit" | "status" | "result" | "cancel";

/** A server answering each route with a fixed JSON body at HTTP 200 (or the status given). */
async function answering(answers: Partial<Record<Route, { status?: number; body: unknown }>>) {
  const server = createServer((req: IncomingMessage, res) => {
    const url = req.url ?? "/";
    const route: Route =
      req.method === "POST" && url.startsWith("/v1/models/") ? "submit" : (url.split("?")[0].split("/").pop() as Route);
    req.resume();
    const a = answers[route] ?? { status: 404, body: { error_code: 404001, error_message: "no such route" } };
    res.writeHead(a.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const clientOf = (baseUrl: string) => createClient({ token: TOKEN, baseUrl, validate: false, retry: FAST });

describe("cancel answers", () => {
  for (const body of [{}, { request_id: "req_1" }]) {
    it(`a 2xx ${JSON.stringify(body)} is an unknown outcome with the reason, not cancelled`, async () => {
      const baseUrl = await answering({ cancel: { body } });
      const r = await clientOf(baseUrl).cancel("req_1");
      expect(r).toMatchObject({ requestId: "req_1", cancelled: null, outcome: "unknown" });
      expect(r.cancelled).not.toBe(true);
      if (r.cancelled === null) expect(r.reason).toContain("did not say whether the job was cancelled");
      const cli = await captureCli(["cancel", "req_1", "--base-url", baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });
      expect(cli.code).toBe(1);
      expect(cli.stdout).toBe("");
      expect(cli.stderr).toContain("cancel outcome unknown: RunComfy accepted the cancel request but did not say");
      const json = await captureCli(["cancel", "req_1", "--base-url", baseUrl, "--json"], {
        env: { RUNCOMFY_API_TOKEN: TOKEN },
      });
      expect(JSON.parse(json.stdout)).toMatchObject({ cancelled: null, outcome: "unknown" });
    });
  }

  it('the partner nodes\' fixture, status "cancelled" with outcome "cancellation_requested", is cancelled', async () => {
    const baseUrl = await answering({
      cancel: { body: { request_id: "req_1", status: "cancelled", outcome: "cancellation_requested" } },
    });
    expect(await clientOf(baseUrl).cancel("req_1")).toEqual({
      requestId: "req_1",
      cancelled: true,
      status: "cancelled",
    });
  });

  it("an outcome no client reads beside a queued status decides nothing; it is named in the reason", async () => {
    const baseUrl = await answering({
      cancel: { body: { request_id: "req_1", status: "in_queue", outcome: "cancellation_requested" } },
    });
    const r = await clientOf(baseUrl).cancel("req_1");
    expect(r).toMatchObject({ cancelled: null, status: "in_queue", outcome: "unknown" });
    expect(r.cancelled === null && r.reason).toContain('outcome "cancellation_requested"');
  });

  it("outcome cancelled, and not_cancellable or an ended status, stay as they were", async () => {
    const cancelled = await answering({ cancel: { body: { outcome: "cancelled" } } });
    expect(await clientOf(cancelled).cancel("req_1")).toMatchObject({ cancelled: true });
    const ended = await answering({ cancel: { body: { request_id: "req_1", status: "completed" } } });
    expect(await clientOf(ended).cancel("req_1")).toMatchObject({ cancelled: false, status: "completed" });
  });
});

describe("an aborted run whose cancel answer says nothing", () => {
  it("AbortedError carries the unknown outcome, and the CLI's hint does not claim the job runs on", async () => {
    const baseUrl = await answering({
      submit: { body: { request_id: "req_1" } },
      status: { body: { request_id: "req_1", status: "in_queue", queue_position: 3 } },
      cancel: { body: { request_id: "req_1" } },
    });
    const controller = new AbortController();
    const err = await clientOf(baseUrl)
      .run(T2V, { prompt: "x" }, { signal: controller.signal, pollIntervalMs: 5, onStatus: () => controller.abort() })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.cancel).toMatchObject({ requestId: "req_1", cancelled: null, outcome: "unknown" });
    const { describeFailure } = await import("../../generator/commands/failure.js");
    expect(describeFailure(err).hint).toMatch(/^not known whether it was cancelled: it may keep running/);
  });
});

describe("a failed job's reason at HTTP 200", () => {
  const failed = {
    request_id: "req_1",
    status: "failed",
    error_code: "GPU_OOM",
    error_message: "the GPU ran out of memory at 1080p",
  };

  it("run rejects with JobFailedError carrying the service's message and error_code", async () => {
    const baseUrl = await answering({
      submit: { body: { request_id: "req_1" } },
      status: { body: { request_id: "req_1", status: "failed" } },
      result: { body: failed },
    });
    const err = await clientOf(baseUrl)
      .run(T2V, { prompt: "x" }, { pollIntervalMs: 5 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.message).toBe("job failed: the GPU ran out of memory at 1080p [request req_1]");
    expect(err.errorCode).toBe("GPU_OOM");
  });

  it("result is the job's answer (failed, with the raw reason), and the result CLI prints the reason", async () => {
    const baseUrl = await answering({ result: { body: failed } });
    expect(await clientOf(baseUrl).result("req_1")).toMatchObject({ completed: false, status: "failed", raw: failed });
    const cli = await captureCli(["result", "req_1", "--base-url", baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("the job ended failed: the GPU ran out of memory at 1080p");
  });

  it("a 2xx error_code without a failed job status is still an error of the request", async () => {
    const baseUrl = await answering({ result: { body: { error_code: 404001, error_message: "request expired" } } });
    const err = await clientOf(baseUrl)
      .result("req_1")
      .catch((e) => e);
    expect(err.name).toBe("NotFoundError");
    expect(err.message).toContain("request expired");
  });
});

describe("the emulator's catalog", () => {
  it("display names keep the dots of versions", async () => {
    const schemas = path.join(tmp.dir, "dotted");
    const id = "bytedance/seedance-2.5/pro/text-to-video";
    const source = JSON.parse(readFileSync(path.join(SCHEMAS, `${T2V}.json`), "utf8"));
    mkdirSync(path.join(schemas, "bytedance/seedance-2.5/pro"), { recursive: true });
    writeFileSync(path.join(schemas, `${id}.json`), JSON.stringify({ ...source, model_id: id }));
    const e = await startEmulator({ schemasDir: schemas, token: TOKEN });
    closers.push(() => e.close());
    const res = await fetch(`${e.baseUrl}/models/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await res.json()).display_name).toBe("Seedance 2.5 Pro Text To Video");
  });

  it("mock-server --help says the partner nodes' flow needs --catalog with prices", async () => {
    const help = await captureCli(["mock-server", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "partner nodes ask a model's price before they submit and refuse a model without one",
    );
    expect(help.stdout.replace(/\s+/g, " ")).toContain("need base_price_usd and price_unit here");
  });
});
