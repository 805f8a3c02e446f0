/** The generated client against the emulator over real HTTP on 127.0.0.1. */
import { createServer } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../generator/mock/emulator.js";
import { jpeg } from "../../generator/mock/images.js";
import {
  AbortedError,
  createClient,
  InsufficientBalanceError,
  JobCancelledError,
  JobFailedError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  RunComfyError,
  ServerError,
  TimeoutError,
  UnknownModelError,
  ValidationError,
  type ClientOptions,
  type StatusUpdate,
} from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";

const TOKEN = "rc-test-token-5f1d9c2e";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const EDIT = "bytedance/dreamina-4-0/edit" as const;
const FAST: ClientOptions["retry"] = { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200 };

const emulators: Emulator[] = [];
async function emulator(options: Partial<EmulatorOptions> = {}) {
  const e = await startEmulator({ schemasDir: SCHEMAS, queueMs: 150, runMs: 150, token: TOKEN, ...options });
  emulators.push(e);
  return e;
}
const clientFor = (e: Emulator, options: ClientOptions = {}) =>
  createClient({ token: TOKEN, baseUrl: e.baseUrl, retry: FAST, requestTimeoutMs: 2000, ...options });
let media: MediaServer;
beforeAll(async () => (media = await startMediaServer()));
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await media.close();
});

/** Every error these tests see, to search for the token at the end. */
const seen: unknown[] = [];
const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    seen.push(e);
    return e;
  }
  throw new Error("expected a rejection");
};

describe("client: the happy path", () => {
  it("submits with the model id's slashes in the path, polls, and returns the typed output", async () => {
    // Long enough in each phase that a poll sees it even on a loaded machine.
    const e = await emulator({ queueMs: 1000, runMs: 1000 });
    const client = clientFor(e);
    const updates: StatusUpdate[] = [];
    const output = await client.run(
      T2V,
      { prompt: "a teapot" },
      { onStatus: (u) => updates.push(u), pollIntervalMs: 30, maxPollIntervalMs: 60 },
    );
    expect(output.video).toMatch(new RegExp(`^${e.origin}/media/.+\\.mp4$`));
    expect(updates.map((u) => u.status)).toEqual(["in_queue", "in_progress", "completed"]);
    expect(updates[0].queuePosition).toBe(1);
    expect(e.stats().submits).toBe(1);
    const res = await fetch(output.video!);
    expect(res.headers.get("content-type")).toBe("video/mp4");
  });

  it("submit, status, result and cancel one by one", async () => {
    const e = await emulator({ queueMs: 400 });
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "x" });
    expect(job).toMatchObject({ modelId: T2V, statusUrl: `${e.baseUrl}/requests/${job.requestId}/status` });
    expect(e.job(job.requestId)).toMatchObject({ modelId: T2V, input: { prompt: "x" } });
    expect(await client.status(job)).toEqual({ requestId: job.requestId, status: "in_queue", queuePosition: 1 });
    expect((await client.result(job)).status).toBe("in_queue");
    expect(await client.cancel(job)).toEqual({ requestId: job.requestId, cancelled: true, status: "cancelled" });
    expect((await client.status(job.requestId)).status).toBe("cancelled");
  });

  it("cancelling a job in progress is an answer, not an exception", async () => {
    const e = await emulator({ queueMs: 0, runMs: 2000 });
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "x" });
    // No queue time: the job runs from its submit on.
    expect((await client.status(job)).status).toBe("in_progress");
    expect(await client.cancel(job)).toMatchObject({ cancelled: false, status: "in_progress" });
  });

  it("polls status while queued, then the result endpoint, which brings the output with completion", async () => {
    const e = await emulator({ queueMs: 150, runMs: 400 });
    const { data: out, requestId } = await clientFor(e).subscribe(
      T2V,
      { prompt: "x" },
      { pollIntervalMs: 40, maxPollIntervalMs: 80 },
    );
    expect(out.video).toBe(`${e.origin}/media/${requestId}/video.mp4`);
    const r = e.stats().requests;
    expect(r.submit).toBe(1);
    // Status polls end once the job leaves the queue; every later poll is a result request.
    expect(r.status).toBeGreaterThanOrEqual(2);
    expect(r.status).toBeLessThanOrEqual(6);
    expect(r.result).toBeGreaterThanOrEqual(3);
  });

  it("reports queue positions of waiting jobs", async () => {
    const e = await emulator({ queueMs: 1000 });
    const client = clientFor(e);
    const jobs = [
      await client.submit(T2V, { prompt: "1" }),
      await client.submit(T2V, { prompt: "2" }),
      await client.submit(T2V, { prompt: "3" }),
    ];
    expect((await Promise.all(jobs.map((j) => client.status(j)))).map((s) => s.queuePosition)).toEqual([1, 2, 3]);
  });
});

describe("client: validation before submit", () => {
  it("rejects invalid input before any request", async () => {
    const e = await emulator();
    const err = await caught(clientFor(e).submit(T2V, { prompt: 5 } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([expect.objectContaining({ path: "/prompt", source: "schema" })]);
    expect(e.stats().requests.submit).toBe(0);
  });

  it("checks media rules by probing, before any request", async () => {
    const e = await emulator();
    media.add("wide.jpg", jpeg(6000, 1000), "image/jpeg");
    const client = clientFor(e, { validate: { allowHttp: true, probe: { allowPrivateNetwork: true } } });
    const err = await caught(client.submit(EDIT, { prompt: "p", image_urls: [media.url("/range/wide.jpg")] }));
    expect((err as ValidationError).issues.map((i) => i.rule)).toEqual(["width_pixels<=", "width/height≤"]);
    expect(e.stats().requests.submit).toBe(0);
  });

  it("with validation off, the server's 400 is a ValidationError with its detail", async () => {
    const e = await emulator();
    const err = await caught(clientFor(e, { validate: false }).submit(T2V, { prompt: 5 } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 400, errorCode: 400001 });
    expect((err as ValidationError).issues[0]).toMatchObject({ path: "/prompt" });
  });

  it("an unknown model id fails before any request", async () => {
    const e = await emulator();
    expect(await caught(clientFor(e).submit("acme/nope" as never, {} as never))).toBeInstanceOf(UnknownModelError);
    expect(e.stats().requests.submit).toBe(0);
  });
});

describe("client: errors", () => {
  it("maps each HTTP error to its class, with request id, status and error_code", async () => {
    const e = await emulator();
    const wrong = createClient({ token: "wrong-token", baseUrl: e.baseUrl, retry: FAST });
    expect(await caught(wrong.submit(T2V, { prompt: "x" }))).toMatchObject({
      name: "AuthenticationError",
      status: 401,
      errorCode: 400004,
    });
    const client = clientFor(e);
    const notFound = await caught(client.status("no-such-request"));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ requestId: "no-such-request", status: 404, errorCode: 404001 });
    e.setFaults([{ route: "submit", status: 402, errorCode: 400002 }]);
    expect(await caught(client.submit(T2V, { prompt: "x" }))).toBeInstanceOf(InsufficientBalanceError);
    e.setFaults([{ route: "status", status: 503 }]);
    const server = await caught(client.status("abc"));
    expect(server).toBeInstanceOf(ServerError);
    expect(server).toMatchObject({ status: 503, requestId: "abc" });
    e.setFaults([{ route: "status", status: 429, retryAfterSeconds: 0 }]);
    const limited = await caught(client.status("abc"));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(0);
    e.setFaults([{ route: "status", drop: true }]);
    expect(await caught(client.status("abc"))).toBeInstanceOf(NetworkError);
    e.setFaults([{ route: "status", malformed: true }]);
    expect(await caught(client.status("abc"))).toMatchObject({
      name: "NetworkError",
      message: expect.stringContaining("malformed"),
    });
    e.setFaults([{ route: "status", okWithErrorCode: true, errorCode: 404001 }]);
    expect(await caught(client.status("abc"))).toBeInstanceOf(NotFoundError);
    e.setFaults([]);
    for (const err of seen) expect(err).toBeInstanceOf(RunComfyError);
  });

  it("a failed job rejects with JobFailedError; a job cancelled elsewhere with JobCancelledError", async () => {
    const failing = await emulator({ failRate: 1 });
    const f = await caught(clientFor(failing).run(T2V, { prompt: "x" }, { pollIntervalMs: 30 }));
    expect(f).toBeInstanceOf(JobFailedError);
    expect((f as JobFailedError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    const e = await emulator({ queueMs: 2000 });
    const client = clientFor(e);
    const run = client.run(T2V, { prompt: "x" }, { pollIntervalMs: 30, onSubmitted: (job) => void client.cancel(job) });
    expect(await caught(run)).toBeInstanceOf(JobCancelledError);
  });
});

describe("client: waiting", () => {
  it("times out with the request id", async () => {
    const e = await emulator({ queueMs: 5000 });
    const err = await caught(clientFor(e).run(T2V, { prompt: "x" }, { timeoutMs: 300, pollIntervalMs: 50 }));
    expect(err).toBeInstanceOf(TimeoutError);
    const [job] = e.jobs();
    expect((err as TimeoutError).requestId).toBe(job.requestId);
    expect((err as TimeoutError).message).toContain(`[request ${job.requestId}]`);
    // It gave up while the job still waited in the queue (5 s), which it leaves running.
    expect(job.status).toBe("in_queue");
  });

  it("an abort wakes the sleep at once, cancels the queued job and rejects", async () => {
    const e = await emulator({ queueMs: 5000 });
    const controller = new AbortController();
    let requestId = "";
    const run = clientFor(e).run(
      T2V,
      { prompt: "x" },
      { signal: controller.signal, pollIntervalMs: 10_000, onSubmitted: (j) => (requestId = j.requestId) },
    );
    // Abort once the job is submitted and the first status is in (the run sleeps then).
    await vi.waitFor(() => expect(requestId && e.stats().requests.status).toBe(1), { timeout: 10_000, interval: 10 });
    controller.abort();
    const err = await caught(run);
    expect(err).toBeInstanceOf(AbortedError);
    // Cancelled, so cancelled while still queued (5 s): the 10-s sleep was not waited out, and no poll came after it.
    expect(e.job(requestId)?.status).toBe("cancelled");
    expect(e.stats().requests).toMatchObject({ status: 1, cancel: 1 });
    // The error says what came of the abort: the service's answer to the cancel.
    expect(err).toMatchObject({ requestId, cancel: { requestId, cancelled: true, status: "cancelled" } });
    expect((err as AbortedError).message).toBe(`aborted; the job was cancelled while queued [request ${requestId}]`);
  });

  it("an abort after the job started, though the last poll said queued, asks to cancel and reports not_cancellable", async () => {
    const e = await emulator({ queueMs: 1000, runMs: 600_000 });
    const controller = new AbortController();
    let requestId = "";
    const statuses: string[] = [];
    const run = clientFor(e).subscribe(
      T2V,
      { prompt: "x" },
      {
        signal: controller.signal,
        pollIntervalMs: 60_000,
        onSubmitted: (j) => (requestId = j.requestId),
        onStatus: (u) => statuses.push(u.status),
      },
    );
    await vi.waitFor(() => expect(statuses).toEqual(["in_queue"]), { timeout: 10_000, interval: 10 });
    await vi.waitFor(() => expect(e.job(requestId)?.status).toBe("in_progress"), { timeout: 10_000, interval: 10 });
    controller.abort();
    const err = (await caught(run)) as AbortedError;
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.requestId).toBe(requestId);
    expect(err.cancel).toMatchObject({
      requestId,
      cancelled: false,
      status: "in_progress",
      outcome: "not_cancellable",
    });
    expect(err.message).toMatch(/^aborted; the job was not cancelled \(.+\) \[request [0-9a-f-]+\]$/);
    expect(e.job(requestId)?.status).toBe("in_progress");
    expect(statuses).toEqual(["in_queue"]);
  });

  it("an abort whose cancel request fails says so and carries no cancel answer", async () => {
    const e = await emulator({ queueMs: 5000, faults: [{ route: "cancel", status: 503 }] });
    const controller = new AbortController();
    let requestId = "";
    const run = clientFor(e).run(
      T2V,
      { prompt: "x" },
      { signal: controller.signal, pollIntervalMs: 10_000, onSubmitted: (j) => (requestId = j.requestId) },
    );
    await vi.waitFor(() => expect(requestId && e.stats().requests.status).toBe(1), { timeout: 10_000, interval: 10 });
    controller.abort();
    const err = (await caught(run)) as AbortedError;
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.cancel).toBeUndefined();
    expect(err.cause).toBeInstanceOf(ServerError);
    expect(err.message).toMatch(/^aborted; the cancel request failed \(.*503.*\) \[request [0-9a-f-]+\]$/);
    expect(e.job(requestId)?.status).toBe("in_queue");
  });

  it("keeps polling through unknown statuses and passes them to onStatus", async () => {
    const e = await emulator({ queueMs: 50, runMs: 100, extraPhase: { status: "warming_up", ms: 200 } });
    const seenStatuses: string[] = [];
    const { data: out, requestId } = await clientFor(e).subscribe(
      T2V,
      { prompt: "x" },
      { pollIntervalMs: 20, maxPollIntervalMs: 40, onStatus: (u) => seenStatuses.push(u.status) },
    );
    expect(out.video).toBe(`${e.origin}/media/${requestId}/video.mp4`);
    expect(seenStatuses.filter((s) => s === "warming_up").length).toBeGreaterThan(1);
    expect([...new Set(seenStatuses)]).toEqual(["in_queue", "warming_up", "in_progress", "completed"]);
  });
});

describe("client: wait for a job already submitted", () => {
  it("waits as run does (status while queued, then the result) and returns { data, requestId }, typed by the job's model", async () => {
    const e = await emulator({ queueMs: 1000, runMs: 1000 });
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "a teapot" });
    const updates: StatusUpdate[] = [];
    const fast = { pollIntervalMs: 30, maxPollIntervalMs: 60 };
    const { data, requestId } = await client.wait(job, { ...fast, onStatus: (u) => updates.push(u) });
    // Typed by the job's model: the text-to-video output's `video`.
    const video: string | undefined = data.video;
    expect(requestId).toBe(job.requestId);
    expect(video).toBe(`${e.origin}/media/${job.requestId}/video.mp4`);
    expect(updates.map((u) => u.status)).toEqual(["in_queue", "in_progress", "completed"]);
    expect(e.stats().submits).toBe(1);
    // The result endpoint first (it brings the output of a finished job at once), then status while queued.
    const other = clientFor(e);
    let cost: number | undefined = -1;
    const again = await other.wait<typeof T2V>(job.requestId, { onResult: (r) => (cost = r.cost) });
    expect(again).toEqual({ data, requestId });
    expect(cost).toBeUndefined();
  });

  it("a finished job costs one request; a failed one rejects with JobFailedError; a cancelled one with JobCancelledError", async () => {
    const e = await emulator({ queueMs: 0, runMs: 0 });
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "x" });
    await vi.waitFor(() => expect(e.job(job.requestId)?.status).toBe("completed"), { timeout: 10_000, interval: 10 });
    const before = e.stats().requests;
    expect((await client.wait(job.requestId)).requestId).toBe(job.requestId);
    expect(e.stats().requests).toMatchObject({ status: before.status, result: before.result + 1 });
    const failing = await emulator({ queueMs: 0, runMs: 50, failRate: 1 });
    const failed = await clientFor(failing).submit(T2V, { prompt: "x" });
    const err = await caught(clientFor(failing).wait(failed, { pollIntervalMs: 20 }));
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err).toMatchObject({ requestId: failed.requestId });
    const queued = await emulator({ queueMs: 60_000 });
    const doomed = await clientFor(queued).submit(T2V, { prompt: "x" });
    await clientFor(queued).cancel(doomed);
    expect(await caught(clientFor(queued).wait(doomed))).toBeInstanceOf(JobCancelledError);
  });

  it("timeoutMs rejects with TimeoutError; an abort stops waiting and does not cancel the job", async () => {
    const e = await emulator({ queueMs: 60_000 });
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "x" });
    const late = await caught(client.wait(job, { timeoutMs: 200, pollIntervalMs: 50 }));
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ requestId: job.requestId });
    const controller = new AbortController();
    const waiting = client.wait(job, { signal: controller.signal, pollIntervalMs: 10_000 });
    await vi.waitFor(() => expect(e.stats().requests.status).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
    controller.abort();
    const err = (await caught(waiting)) as AbortedError;
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.requestId).toBe(job.requestId);
    expect(err.cancel).toBeUndefined();
    expect(err.message).toBe(`stopped waiting (the job was not cancelled) [request ${job.requestId}]`);
    expect(e.stats().requests.cancel).toBe(0);
    expect(e.job(job.requestId)?.status).toBe("in_queue");
  });
});

describe("client: retry policy", () => {
  it("GETs retry through 5xx, 429 (honouring Retry-After) and dropped connections", async () => {
    const e = await emulator();
    const client = clientFor(e);
    const job = await client.submit(T2V, { prompt: "x" });
    e.setFaults([
      { route: "status", status: 503, times: 1 },
      { route: "status", status: 429, retryAfterSeconds: 0, times: 1 },
      { route: "status", drop: true, times: 1 },
    ]);
    expect((await client.status(job)).requestId).toBe(job.requestId);
    expect(e.stats().requests.status).toBe(4);
  });

  it("submit is never retried once it may have reached the server: 5xx, dropped, timed out", async () => {
    for (const fault of [
      { status: 500, after: true },
      { drop: true, after: true },
      { status: 502 },
      { delayMs: 600 },
    ]) {
      const e = await emulator();
      e.setFaults([{ route: "submit", ...fault, times: 1 }]);
      const err = await caught(clientFor(e, { requestTimeoutMs: 300 }).submit(T2V, { prompt: "x" }));
      expect(err, JSON.stringify(fault)).toBeInstanceOf(RunComfyError);
      expect(e.stats().requests.submit, JSON.stringify(fault)).toBe(1);
      expect(e.stats().submits).toBeLessThanOrEqual(1);
    }
  });

  it("submit is retried on 429", async () => {
    const e = await emulator();
    e.setFaults([{ route: "submit", status: 429, retryAfterSeconds: 0, times: 2 }]);
    const job = await clientFor(e).submit(T2V, { prompt: "x" });
    expect(e.jobs().map((j) => j.requestId)).toEqual([job.requestId]);
    expect(e.stats()).toMatchObject({ submits: 1, requests: expect.objectContaining({ submit: 3 }) });
  });

  it("submit is retried when the connection is refused (provably never sent)", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const client = createClient({
      token: TOKEN,
      baseUrl: `http://127.0.0.1:${port}/v1`,
      retry: { maxRetries: 8, baseDelayMs: 50, maxDelayMs: 100 },
    });
    const later = new Promise<Emulator>((resolve) => setTimeout(() => resolve(emulator({ port })), 150));
    const job = await client.submit(T2V, { prompt: "x" });
    const e = await later;
    expect(e.jobs().map((j) => j.requestId)).toEqual([job.requestId]);
    expect(e.stats().submits).toBe(1);
  });
});

describe("client: the token", () => {
  it("never appears in errors, their serialization, or the client object", () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const err of seen) {
      for (const text of [
        String(err),
        (err as Error).message,
        JSON.stringify(err),
        inspect(err, { depth: 5 }),
        (err as Error).stack ?? "",
      ])
        expect(text).not.toContain(TOKEN);
    }
    const client = createClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9/v1" });
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(client)).not.toContain(TOKEN);
  });

  it("comes from RUNCOMFY_API_TOKEN and the base URL from RUNCOMFY_BASE_URL", async () => {
    const e = await emulator();
    process.env.RUNCOMFY_API_TOKEN = TOKEN;
    process.env.RUNCOMFY_BASE_URL = e.baseUrl;
    try {
      const client = createClient({ retry: FAST });
      expect(client.baseUrl).toBe(e.baseUrl);
      const job = await client.submit(T2V, { prompt: "env" });
      expect(e.jobs().map((j) => [j.requestId, j.input])).toEqual([[job.requestId, { prompt: "env" }]]);
    } finally {
      delete process.env.RUNCOMFY_API_TOKEN;
      delete process.env.RUNCOMFY_BASE_URL;
    }
  });
});
