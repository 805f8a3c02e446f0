/**
 * When `run` polls (issue 15): the plan from the queue position, the model's running times and
 * Retry-After — as a pure function of the times passed in, and through the client against the
 * emulator and a real server on 127.0.0.1, with the clock faked (Date and timers), so every figure is
 * the fake clock's and the test is deterministic.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator } from "../../generator/mock/emulator.js";
import { JobPoller, RunTimes, survivalAfter } from "../../generator/runtime/client/poll-plan.js";
import { createClient } from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";

const TOKEN = "rc-poll-token-7c41a0";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const BOUNDS = { minMs: 250, maxMs: 15_000 };
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));
afterEach(() => vi.useRealTimers());

/** Polls one job alone (no I/O): it runs from `startsAt` for `runMs`; returns each poll's time. */
function pollTimes(runs: RunTimes, runMs: number, startsAt = 0) {
  const poller = new JobPoller(runs.of("m"), BOUNDS, 0);
  const at: number[] = [];
  for (let now = BOUNDS.minMs; ; now += poller.nextDelay(now)) {
    at.push(now);
    if (now >= startsAt + runMs) {
      poller.finished(now, 0, startsAt + runMs);
      return at;
    }
    poller.observe(now, now < startsAt ? "queued" : "running");
  }
}

describe("the poll plan", () => {
  it("for a model with no finished run: intervals grow 1.5× from the shortest to 4× it while running, 8× while queued", () => {
    const intervals = (phase: "queued" | "running") => {
      const poller = new JobPoller(new RunTimes().of("m"), BOUNDS, 0);
      const delays: number[] = [];
      for (let now = 250, i = 0; i < 9; i++) {
        poller.observe(now, phase);
        delays.push(Math.round(poller.nextDelay(now)));
        now += delays[delays.length - 1];
      }
      return delays;
    };
    expect(intervals("running")).toEqual([250, 375, 563, 844, 1000, 1000, 1000, 1000, 1000]);
    expect(intervals("queued")).toEqual([250, 375, 563, 844, 1266, 1898, 2000, 2000, 2000]);
    // Once a run of the model has finished, its running times plan the polls, up to the longest interval.
    const runs = new RunTimes();
    runs.of("m").finished.push(600_000);
    const poller = new JobPoller(runs.of("m"), BOUNDS, 0);
    poller.observe(250, "running");
    expect(poller.nextDelay(250)).toBe(15_000);
  });

  it("after jobs of a model ran 20 s: sparse before, dense around 20 s, output within a shortest interval", () => {
    const runs = new RunTimes();
    const first = pollTimes(runs, 20_000);
    for (let i = 0; i < 4; i++) pollTimes(runs, 20_000);
    // Started between submit and the first poll (at 250 ms): taken as 125 ms; finished at 20 s by the service's clock.
    expect(runs.of("m").finished).toEqual(Array(5).fill(19_875));
    const later = pollTimes(runs, 20_000);
    // A first poll, then one just before 20 s, then at 20 s (the growing intervals overshot it first).
    expect(later.length).toBeLessThan(first.length);
    expect(later.length).toBeLessThanOrEqual(6);
    expect(later[later.length - 1] - 20_000).toBeLessThanOrEqual(BOUNDS.minMs);
    // The first, with no run to plan from, polled every second near the end: it saw completion within one.
    expect(first[first.length - 1] - 20_000).toBeLessThanOrEqual(1_000);
    expect(first.length).toBeGreaterThan(20);
    // Fixed 2 s polling would make 10 polls and see it at 20 s exactly only by luck of the phase.
    expect(later.length).toBeLessThan(10);
  });

  it("a job running longer than any seen: the tail rate keeps polls coming, no later than the longest interval", () => {
    const runs = new RunTimes();
    for (let i = 0; i < 3; i++) pollTimes(runs, 5_000);
    const at = pollTimes(runs, 60_000);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(BOUNDS.maxMs);
    expect(at[at.length - 1] - 60_000).toBeLessThanOrEqual(BOUNDS.maxMs);
  });

  it("while queued: half the expected wait at the rate the position falls", () => {
    // A model with a finished run (with none, queued intervals stop at 8× the shortest).
    const runs = new RunTimes();
    runs.of("m").finished.push(10_000);
    const poller = new JobPoller(runs.of("m"), BOUNDS, 0);
    poller.observe(1_000, "queued", 10);
    poller.observe(2_000, "queued", 8);
    // 2 places per second, 8 to go: 4 s, of which half.
    expect(poller.nextDelay(2_000)).toBe(2_000);
    poller.observe(3_000, "queued", 8);
    expect(poller.nextDelay(3_000)).toBe(4_000);
  });

  it("a job first seen ended by a status poll ran until the service says, not until that poll", () => {
    const runs = new RunTimes();
    const poller = new JobPoller(runs.of("m"), BOUNDS, 0);
    poller.observe(1_000, "queued", 1);
    poller.observe(3_000, "ended");
    // The service: finished 2.5 s after submit. Started between the polls at 1 s and 3 s: taken as 2 s.
    poller.finished(3_100, 0, 2_500);
    expect(runs.of("m").finished).toEqual([500]);
  });

  it("Retry-After wins over the plan, but never below the shortest interval", () => {
    const poller = new JobPoller(new RunTimes().of("m"), BOUNDS, 0);
    poller.observe(250, "running");
    expect(poller.nextDelay(250, 7_000)).toBe(7_000);
    expect(poller.nextDelay(250, 0)).toBe(250);
  });

  it("jobs of the model running now count as having run at least as long as so far (censored)", () => {
    const runs = new RunTimes();
    const m = runs.of("m");
    m.finished.push(10_000, 20_000);
    // Without the running ones: half finish by 10 s of those past 5 s.
    expect(survivalAfter(m, 5_000, 0)(12_000)).toBeCloseTo(0.5);
    // Eight more ran 15 s so far and go on: at 10 s, 1 of 10 finished.
    for (let i = 0; i < 8; i++) m.running.add({ startedAt: 0 });
    expect(survivalAfter(m, 5_000, 15_000)(12_000)).toBeCloseTo(0.9);
  });
});

/**
 * A fetch that counts the requests under way (until their body is read), so the fake clock moves
 * only while the client sleeps: on a loaded machine a request's real time (or a cold model module's
 * load before the submit) would otherwise pass as seconds of fake time, the job's clock running ahead.
 */
function trackedFetch() {
  let inFlight = 0;
  const fetchFn: typeof fetch = async (...args) => {
    inFlight++;
    try {
      const res = await fetch(...args);
      const body = await res.arrayBuffer();
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } finally {
      inFlight--;
    }
  };
  return { fetch: fetchFn, idle: () => inFlight === 0 };
}

/**
 * Steps the fake clock in `stepMs` steps, letting real I/O run between (all of it, when `idle` says
 * whether requests are under way), until `done()` or `limitMs`.
 */
async function advanceUntil(done: () => boolean, limitMs: number, stepMs = 50, idle = () => true) {
  const turn = () => new Promise((r) => setImmediate(r));
  for (let t = 0; t < limitMs && !done(); t += stepMs) {
    for (let i = 0; i < 10; i++) await turn();
    while (!idle() && !done()) await turn();
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

describe("run plans its polls (fake clock, real HTTP)", () => {
  it("after three jobs of a model ran 20 s, the fourth costs fewer requests and arrives within 250 ms", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const e = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs: 0, runMs: 20_000 });
    closers.push(() => e.close());
    const tracked = trackedFetch();
    const client = createClient({ token: TOKEN, baseUrl: e.baseUrl, random: () => 0.5, fetch: tracked.fetch });
    const perJob: { requests: number; delay: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const before = e.stats().requests;
      let settled: { requestId: string } | undefined;
      let submitted = false;
      const running = client
        .subscribe(T2V, { prompt: `job ${i}` }, { onSubmitted: () => (submitted = true) })
        .then((r) => (settled = r));
      await advanceUntil(
        () => settled !== undefined,
        60_000,
        50,
        () => submitted && tracked.idle(),
      );
      const { requestId } = await running;
      const after = e.stats().requests;
      perJob.push({
        requests: after.submit + after.status + after.result - before.submit - before.status - before.result,
        delay: Date.now() - e.job(requestId)!.finishedAt,
      });
    }
    vi.useRealTimers();
    const [first, , , fourth] = perJob;
    expect(fourth.requests).toBeLessThan(first.requests);
    // Fixed 2 s polling: a submit, ten status polls and the result.
    expect(fourth.requests).toBeLessThan(12);
    expect(fourth.delay).toBeLessThanOrEqual(250 + 50);
  });

  it("in a fresh client (no run history), jobs of 3 s to 10 min are seen finished within 1 s", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const lengths = [
      { queueMs: 0, runMs: 3_000 },
      { queueMs: 5_000, runMs: 4_000 },
      { queueMs: 0, runMs: 9_000 },
      { queueMs: 0, runMs: 20_000 },
      { queueMs: 1_000, runMs: 120_000 },
      { queueMs: 0, runMs: 600_000 },
    ];
    const seen: { runMs: number; delay: number; requests: number }[] = [];
    for (const { queueMs, runMs } of lengths) {
      const e = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs, runMs });
      closers.push(() => e.close());
      // A new client each time: what a CLI run or a serverless call starts with.
      const tracked = trackedFetch();
      const client = createClient({ token: TOKEN, baseUrl: e.baseUrl, random: () => 0.5, fetch: tracked.fetch });
      let settled: { requestId: string } | undefined;
      let submitted = false;
      const running = client
        .subscribe(T2V, { prompt: "fresh" }, { onSubmitted: () => (submitted = true) })
        .then((r) => (settled = r));
      await advanceUntil(
        () => settled !== undefined,
        queueMs + runMs + 60_000,
        100,
        () => submitted && tracked.idle(),
      );
      const { requestId } = await running;
      const r = e.stats().requests;
      seen.push({ runMs, delay: Date.now() - e.job(requestId)!.finishedAt, requests: r.submit + r.status + r.result });
    }
    vi.useRealTimers();
    for (const { runMs, delay, requests } of seen) {
      // Within the 1 s bound (and the fake clock's step); no more than a poll a second.
      expect(delay, `${runMs} ms job`).toBeLessThanOrEqual(1_000 + 100);
      expect(requests, `${runMs} ms job`).toBeLessThanOrEqual(runMs / 1_000 + 8);
    }
  });

  it("a Retry-After on a 200 status answer sets when the next poll comes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const at: number[] = [];
    const server = createServer((req, res) => {
      req.resume();
      const json = (body: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
      if (req.method === "POST") return json({ request_id: "job-1" });
      at.push(Date.now());
      if (at.length === 1)
        return json({ request_id: "job-1", status: "in_queue", queue_position: 3 }, { "retry-after": "4" });
      return json({ request_id: "job-1", status: "completed", output: { video: "https://x.example/v.mp4" } });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(r)));
    const client = createClient({
      token: TOKEN,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      validate: false,
      random: () => 0.5,
    });
    let output: unknown;
    const running = client.run(T2V, { prompt: "x" }).then((o) => (output = o));
    await advanceUntil(() => output !== undefined, 20_000);
    await running;
    vi.useRealTimers();
    expect(output).toEqual({ video: "https://x.example/v.mp4" });
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(4_000);
    expect(at[1] - at[0]).toBeLessThan(4_000 + 100);
  });
});
