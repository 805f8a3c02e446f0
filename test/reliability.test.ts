/**
 * Reliability under faults, seeded and bounded: many `run`s against an emulator that injects 5xx,
 * 429 with Retry-After, dropped connections, slow and malformed answers, on every route. Every job
 * ends completed or with a typed error (carrying its request id once submitted); no job is submitted
 * twice; memory stays flat; the token never shows. RELIABILITY_RUNS raises the number of runs.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../generator/mock/emulator.js";
import type { FaultRule, Route } from "../generator/mock/faults.js";
import { jpeg } from "../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../generator/mock/media-server.js";
import { createClient, RunComfyError } from "../generated/index.js";
import * as edit from "../generated/models/bytedance/dreamina-4-0/edit.js";
import { runCli } from "../generator/cli.js";
import { SCHEMAS } from "./helpers.js";
import { route } from "./net-guard.js";

/** A public address the test network leads to 127.0.0.1. */
const PUBLIC = "93.184.215.14";

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 1000);
const CONCURRENCY = 50;
const TOKEN = "rc-secret-token-0c8a1f77e2";
/** Everything the tests see, searched for the token at the end. */
const captured: string[] = [];
const capture = (value: unknown) =>
  captured.push(
    typeof value === "string"
      ? value
      : `${String(value)}\n${JSON.stringify(value)}\n${inspect(value, { depth: 6 })}\n${(value as Error)?.stack ?? ""}`,
  );

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const heapMB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

function faults(): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const route of ["status", "result", "cancel"] as Route[]) {
    rules.push(
      { route, status: 500, probability: 0.04 },
      { route, status: 502, probability: 0.04 },
      { route, status: 503, probability: 0.04 },
      { route, status: 429, retryAfterSeconds: 0, probability: 0.04 },
      { route, drop: true, probability: 0.03 },
      { route, malformed: true, probability: 0.03 },
      { route, delayMs: 30, probability: 0.05 },
    );
  }
  rules.push(
    { route: "submit", status: 500, after: true, probability: 0.02 },
    { route: "submit", drop: true, after: true, probability: 0.02 },
    { route: "submit", status: 503, probability: 0.02 },
    { route: "submit", status: 429, retryAfterSeconds: 0, probability: 0.04 },
    { route: "submit", malformed: true, after: true, probability: 0.01 },
    { route: "submit", delayMs: 30, probability: 0.05 },
    { route: "status", echoToken: true, status: 400, probability: 0.01 },
  );
  return rules;
}

describe("client under faults", () => {
  let emulator: Emulator;
  beforeAll(
    async () =>
      (emulator = await startEmulator({
        schemasDir: SCHEMAS,
        token: TOKEN,
        queueMs: [0, 30],
        runMs: [10, 60],
        seed: 3,
        faults: faults(),
      })),
  );
  afterAll(() => emulator.close());

  it(`${RUNS} runs: each ends completed or with a typed error; no duplicates; flat memory`, async () => {
    const client = createClient({
      token: TOKEN,
      baseUrl: emulator.baseUrl,
      retry: { maxRetries: 6, baseDelayMs: 5, maxDelayMs: 50 },
      requestTimeoutMs: 2000,
    });
    const outcome = { completed: 0, failedAfterSubmit: 0, failedAtSubmit: 0, missingRequestId: 0, untyped: 0 };
    let next = 0;
    let heapAtQuarter = 0;
    const worker = async () => {
      while (next < RUNS) {
        const i = next++;
        if (i === Math.floor(RUNS / 4)) heapAtQuarter = heapMB();
        let requestId: string | undefined;
        try {
          const out = await client.run(
            "bytedance/dreamina-3-0/pro/text-to-video",
            { prompt: `job-${i}` },
            {
              pollIntervalMs: 10,
              maxPollIntervalMs: 40,
              timeoutMs: 20_000,
              onSubmitted: (j) => (requestId = j.requestId),
            },
          );
          expect(out.video).toBe(`${emulator.baseUrl.replace(/\/v1$/, "")}/media/${requestId}/video.mp4`);
          outcome.completed++;
        } catch (e) {
          capture(e);
          if (!(e instanceof RunComfyError)) outcome.untyped++;
          else if (requestId) {
            outcome.failedAfterSubmit++;
            if (e.requestId !== requestId) outcome.missingRequestId++;
          } else outcome.failedAtSubmit++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const heapAtEnd = heapMB();
    const jobs = emulator.jobs();
    const prompts = jobs.map((j) => (j.input as { prompt: string }).prompt);
    const duplicates = prompts.length - new Set(prompts).size;
    const stats = emulator.stats();
    console.log(
      `reliability: ${RUNS} runs, ${stats.faultsInjected} faults injected; completed ${outcome.completed}, typed errors after submit ${outcome.failedAfterSubmit}, at submit ${outcome.failedAtSubmit}; ` +
        `jobs created ${jobs.length}, duplicates ${duplicates}, lost 0; heap ${heapAtQuarter.toFixed(1)} → ${heapAtEnd.toFixed(1)} MB`,
    );
    expect(outcome.untyped).toBe(0);
    expect(outcome.missingRequestId).toBe(0);
    expect(outcome.completed + outcome.failedAfterSubmit + outcome.failedAtSubmit).toBe(RUNS);
    expect(duplicates).toBe(0);
    expect(stats.submits).toBe(jobs.length);
    // A job the client never heard of can only come from a submit whose answer a fault destroyed.
    expect(jobs.length).toBeLessThanOrEqual(outcome.completed + outcome.failedAfterSubmit + outcome.failedAtSubmit);
    expect(stats.faultsInjected).toBeGreaterThan(RUNS / 4);
    expect(outcome.completed).toBeGreaterThan(RUNS * 0.6);
    expect(heapAtEnd - heapAtQuarter).toBeLessThan(24);
  }, 600_000);
});

describe("bad media", () => {
  let media: MediaServer;
  beforeAll(async () => {
    media = await startMediaServer();
    media.add("huge.jpg", jpeg(30_000, 30_000), "image/jpeg");
    media.add("text.txt", new TextEncoder().encode("<html>not an image</html>"), "text/html");
    media.add("empty.jpg", new Uint8Array(0), "image/jpeg");
    media.add("photo.jpg", jpeg(1000, 800, { totalBytes: 200_000 }), "image/jpeg");
    // Its frame header sits after 300 KB of ICC profile: a cut at half the file comes before it.
    media.add("late-header.jpg", jpeg(1000, 800, { iccBytes: 300_000, totalBytes: 400_000 }), "image/jpeg");
  });
  afterAll(() => media.close());

  it("each probe ends within its bounds with a clear issue: an error when the answer settles it, a warning when the client could not find out", async () => {
    const timeoutMs = 1500;
    const unroute = route(PUBLIC);
    const local = { allowHttp: true, probe: { allowPrivateNetwork: true, timeoutMs, maxBytes: 1_000_000 } };
    const remote = { allowHttp: true, probe: { resolveHost: async () => [PUBLIC], timeoutMs, maxBytes: 1_000_000 } };
    const viaPublic = (p: string) => media.url(p).replace("127.0.0.1", "media.example");
    const cases: [string, string, typeof local | typeof remote, "error" | "warning", RegExp][] = [
      [
        "truncated before the header",
        media.url("/truncated/late-header.jpg"),
        local,
        "warning",
        /media rules not checked here: network error/,
      ],
      ["zero bytes", media.url("/norange/empty.jpg"), local, "error", /the file is empty/],
      ["not an image", media.url("/norange/text.txt"), local, "error", /not a supported image/],
      ["lying Content-Length", media.url("/lying/photo.jpg"), local, "error", /truncated/],
      [
        "never-ending stream",
        media.url("/endless/x.jpg"),
        local,
        "warning",
        /media rules not checked here: (read more than the 1000000-byte cap|no answer within)/,
      ],
      [
        "slow server",
        media.url("/slow/x.jpg"),
        local,
        "warning",
        /media rules not checked here: no answer within 1500 ms/,
      ],
      [
        "server error",
        media.url("/status/503"),
        local,
        "warning",
        /media rules not checked here: the server answered HTTP 503/,
      ],
      ["not found", media.url("/status/404"), local, "error", /the server answered HTTP 404/],
      ["redirect loop", media.url("/loop/x.jpg"), local, "error", /more than 5 redirects/],
      [
        "redirect to a private address",
        viaPublic("/redirect/x?to=http://192.168.1.10/x.jpg"),
        remote,
        "error",
        /refused to contact private address 192\.168\.1\.10/,
      ],
      [
        "30,000 × 30,000 declared",
        media.url("/range/huge.jpg"),
        local,
        "error",
        /Maximum resolution is 4096x4096\. \(measured width = 30000/,
      ],
    ];
    try {
      for (const [name, url, options, severity, expected] of cases) {
        for (const probeFailures of ["warning", "error"] as const) {
          const r = await edit.validate({ prompt: "p", image_urls: [url] }, { ...options, probeFailures });
          capture(r);
          const expectedSeverity = severity === "warning" ? probeFailures : "error";
          expect(r.valid, `${name} (${probeFailures})`).toBe(expectedSeverity === "warning");
          expect(r.issues.map((i) => i.message).join("\n"), name).toMatch(expected);
          expect(
            r.issues.map((i) => [i.path, i.source, i.severity]),
            name,
          ).toEqual(r.issues.map(() => ["/image_urls/0", "rule", expectedSeverity]));
        }
      }
    } finally {
      unroute();
    }
  });
});

describe("secrets", () => {
  it("the token never appears in anything captured, including CLI output against a server that echoes it", async () => {
    const emulator = await startEmulator({
      schemasDir: SCHEMAS,
      token: TOKEN,
      queueMs: 0,
      runMs: 10,
      faults: [{ route: "submit", echoToken: true, status: 400 }],
    });
    try {
      let out = "";
      const code = await runCli(
        ["run", "bytedance/dreamina-3-0/pro/text-to-video", "-", "--base-url", emulator.baseUrl],
        {
          stdout: (t) => (out += t),
          stderr: (t) => (out += t),
          stdin: async () => JSON.stringify({ prompt: "x" }),
          isTTY: false,
          env: { RUNCOMFY_API_TOKEN: TOKEN },
        },
      );
      expect(code).toBe(1);
      expect(out).toContain("Bearer [redacted]");
      capture(out);
    } finally {
      await emulator.close();
    }
    expect(captured.length).toBeGreaterThan(10);
    expect(captured.filter((text) => text.includes(TOKEN))).toEqual([]);
  });
});
