/** The generated package's runBatch and its file journal, against the emulator over real HTTP on 127.0.0.1. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../generator/mock/emulator.js";
import {
  BatchRefusedError,
  createClient,
  memoryJournal,
  planBatch,
  runBatch,
  type BatchLine,
  type BatchProgress,
  type BatchResult,
  type ClientOptions,
  type JournalRecord,
  type RunBatchOptions,
} from "../../generated/index.js";
import { BatchJournalError, openBatchJournal } from "../../generated/runtime/node.js";
import { lineKey, RateGate } from "../../generator/runtime/batch/batch.js";
import { SCHEMAS, tempDir } from "../helpers.js";

const TOKEN = "rc-batch-token-3c1e";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const FAST: ClientOptions["retry"] = { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 };
const tmp = tempDir("rcg-batch-");

const emulators: Emulator[] = [];
async function emulator(options: Partial<EmulatorOptions> = {}) {
  const e = await startEmulator({ schemasDir: SCHEMAS, queueMs: [5, 40], runMs: [5, 40], token: TOKEN, ...options });
  emulators.push(e);
  return e;
}
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  tmp.cleanup();
});

const clientFor = (e: Emulator, options: ClientOptions = {}) =>
  createClient({ token: TOKEN, baseUrl: e.baseUrl, retry: FAST, requestTimeoutMs: 5000, ...options });
const linesOf = (n: number, tag = "t"): BatchLine[] =>
  Array.from({ length: n }, (_, i) => ({ line: i + 1, modelId: T2V, input: { prompt: `${tag} ${i + 1}` } }));

async function collect(client: object, lines: BatchLine[], options: RunBatchOptions = {}) {
  const results: BatchResult[] = [];
  for await (const r of runBatch(client, lines, { pollIntervalMs: 5, ...options })) results.push(r);
  return results;
}

/** Jobs the emulator made per prompt. */
const submissions = (e: Emulator) =>
  new Map(e.submissionsPerInput().map((s) => [(s.input as { prompt: string }).prompt, s.count]));

describe("runBatch", () => {
  it("runs every line once, yields results in input order, never more than `concurrency` jobs at once", async () => {
    const e = await emulator({ failRate: 0.2, seed: 7 });
    const lines = linesOf(40);
    let most = 0;
    const onProgress = (p: BatchProgress) => (most = Math.max(most, p.submitting + p.queued + p.running));
    const results = await collect(clientFor(e), lines, { concurrency: 4, onProgress });
    expect(results.map((r) => r.line)).toEqual(lines.map((l) => l.line));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    expect([...submissions(e).values()]).toEqual(Array(40).fill(1));
    const failed = results.filter((r) => r.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === "completed").length + failed.length).toBe(40);
    for (const r of results) {
      expect(e.job(r.requestId!)?.input).toEqual(lines[r.line - 1].input);
      if (r.status === "completed") expect(r.output).toHaveProperty("video");
      else expect(r.error?.type).toBe("JobFailedError");
    }
  });

  it("refuses a batch with invalid lines before submitting anything, naming each line; skipInvalid runs the rest", async () => {
    const e = await emulator();
    const lines = [
      ...linesOf(3),
      { line: 4, modelId: T2V, input: { prompt: 7 } },
      { line: 5, modelId: "no/such", input: {} },
    ];
    const refused = await collect(clientFor(e), lines).catch((x) => x);
    expect(refused).toBeInstanceOf(BatchRefusedError);
    expect(refused.reason).toBe("invalid");
    expect(refused.message).toContain("lines 4, 5");
    expect(refused.plan.invalid.map((i: { line: number }) => i.line)).toEqual([4, 5]);
    expect(e.stats().requests.submit).toBe(0);
    const results = await collect(clientFor(e), lines, { skipInvalid: true });
    expect(results.map((r) => r.status)).toEqual(["completed", "completed", "completed", "invalid", "invalid"]);
    expect(results[3].error?.issues?.[0]).toMatchObject({ path: "/prompt", message: "must be string" });
    expect(e.stats().submits).toBe(3);
  });

  it("resumes from the journal: finished lines are not redone, known request ids are polled, lost answers are unknown", async () => {
    const e = await emulator();
    const client = clientFor(e);
    const lines = linesOf(5, "resume");
    const first = memoryJournal();
    await collect(client, [lines[0]], { journal: first });
    // Line 2 was submitted by the earlier run (its job exists); line 3's submit had no answer.
    const earlier = await client.submit(T2V, { prompt: "resume 2" });
    const records: JournalRecord[] = [
      ...first.all(),
      submittingRecord(lines[1]),
      { line: 2, state: "submitted", requestId: earlier.requestId },
      submittingRecord(lines[2]),
    ];
    const journal = memoryJournal(records);
    const results = await collect(client, lines, { journal });
    expect(results.map((r) => r.status)).toEqual(["completed", "completed", "unknown", "completed", "completed"]);
    expect(results[1].requestId).toBe(earlier.requestId);
    expect(results[2].error?.message).toContain("not resubmitted");
    expect(submissions(e)).toEqual(
      new Map([
        ["resume 1", 1],
        ["resume 2", 1],
        ["resume 4", 1],
        ["resume 5", 1],
      ]),
    );
    expect(
      journal
        .all()
        .filter((r) => r.state === "submitting")
        .map((r) => r.line),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it("resubmitUnknown submits a line whose earlier submit has an unknown outcome", async () => {
    const e = await emulator();
    const lines = linesOf(2, "again");
    const journal = memoryJournal([
      submittingRecord(lines[1]),
      { line: 2, state: "unknown", error: { type: "NetworkError", message: "dropped" } },
    ]);
    expect(
      (await collect(clientFor(e), lines, { journal: memoryJournal(journal.records() as JournalRecord[]) })).map(
        (r) => r.status,
      ),
    ).toEqual(["completed", "unknown"]);
    const results = await collect(clientFor(e), lines, { journal, resubmitUnknown: true });
    expect(results.map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(submissions(e)).toEqual(
      new Map([
        ["again 1", 2],
        ["again 2", 1],
      ]),
    );
  });

  it("refuses a journal recorded for other lines (the input file changed)", async () => {
    const e = await emulator();
    const first = memoryJournal();
    await collect(clientFor(e), linesOf(1, "changed"), { journal: first });
    const refused = await collect(clientFor(e), linesOf(1, "different"), { journal: memoryJournal(first.all()) }).catch(
      (x) => x,
    );
    expect(refused).toBeInstanceOf(BatchRefusedError);
    expect(refused.reason).toBe("journal");
    expect(refused.message).toContain("line 1");
  });

  it("an abort stops submitting, cancels queued jobs, and yields every line (not submitted lines as such)", async () => {
    const e = await emulator({ queueMs: 60_000 });
    const controller = new AbortController();
    const results: BatchResult[] = [];
    const onProgress = (p: BatchProgress) => {
      if (p.queued === 2 && !controller.signal.aborted) controller.abort();
    };
    for await (const r of runBatch(clientFor(e), linesOf(6, "abort"), {
      concurrency: 2,
      signal: controller.signal,
      onProgress,
      pollIntervalMs: 5,
    }))
      results.push(r);
    expect(results.map((r) => r.status)).toEqual([
      "cancelled",
      "cancelled",
      "not_submitted",
      "not_submitted",
      "not_submitted",
      "not_submitted",
    ]);
    expect(e.stats().submits).toBe(2);
    expect(e.stats().jobs).toEqual({ cancelled: 2 });
  });

  it("a submit refused with 429 made no job: it is submitted again, and every line still makes one job", async () => {
    const e = await emulator({
      faults: [
        { route: "submit", status: 429, retryAfterSeconds: 0.01, probability: 0.4 },
        { route: "status", status: 429, retryAfterSeconds: 0.01, probability: 0.2 },
      ],
      seed: 3,
    });
    const results = await collect(clientFor(e, { retry: { maxRetries: 0 } }), linesOf(20, "limited"), {
      concurrency: 4,
    });
    expect(e.stats().faultsInjected).toBeGreaterThan(5);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill("completed"));
    expect([...submissions(e).values()]).toEqual(Array(20).fill(1));
  });

  it("the cost ceiling counts what earlier runs spent, and the reported costs as they come", async () => {
    // The service reports $0.2 a job; the plan estimated $0.1; line 1 cost $0.5 in an earlier run.
    const e = await emulator({ catalog: { [T2V]: { base_price_usd: 0.2, price_unit: "output" } } });
    const lines = linesOf(3, "ceiling");
    const plan = {
      invalid: [],
      warnings: [],
      costs: new Map([
        [1, 0.1],
        [2, 0.1],
        [3, 0.1],
      ]),
      estimate: { totalUsd: 0.3, priced: 3, unpriced: [] },
    };
    const journal = memoryJournal([
      submittingRecord(lines[0]),
      { line: 1, state: "completed", requestId: "earlier", output: { video: "https://example.com/v.mp4" }, cost: 0.5 },
    ]);
    const progress: BatchProgress[] = [];
    const results = await collect(clientFor(e), lines, {
      plan,
      journal,
      maxCostUsd: 0.75,
      concurrency: 1,
      onProgress: (p) => progress.push(p),
    });
    expect(results.map((r) => [r.status, r.cost])).toEqual([
      ["completed", 0.5],
      ["completed", 0.2],
      ["not_submitted", undefined],
    ]);
    expect(results[2].error?.message).toContain("would pass the cost ceiling of $0.75");
    expect(progress.at(-1)?.costUsd).toBe(0.7);
    expect(e.stats().submits).toBe(1);
  });

  it("planBatch prices each line, naming the lines it cannot price", async () => {
    const e = await emulator();
    const plan = await planBatch(clientFor(e), linesOf(2));
    expect(plan.invalid).toEqual([]);
    expect(plan.estimate.priced).toBe(0);
    expect(plan.estimate.unpriced.map((u) => u.line)).toEqual([1, 2]);
    expect(plan.estimate.unpriced[0].reason).toContain("no price is recorded");
  });
});

/** The record runBatch journals before submitting a line. */
const submittingRecord = (l: BatchLine): JournalRecord => ({
  line: l.line,
  state: "submitting",
  modelId: l.modelId,
  key: lineKey(l.modelId, l.input),
});

describe("the batch's rate gate", () => {
  it("a 429 holds every request of the batch for its Retry-After, not only the one that was told", async () => {
    vi.useFakeTimers();
    try {
      const gate = new RateGate(() => 0.5);
      const sent: string[] = [];
      const answer =
        (status: number, headers: Record<string, string> = {}): typeof fetch =>
        async (url) => {
          sent.push(String(url));
          return new Response("{}", { status, headers });
        };
      await gate.fetch(answer(429, { "retry-after": "2" }))("first");
      // Two other workers' requests, through their own fetch: both wait at the one gate.
      const others = [gate.fetch(answer(200))("second"), gate.fetch(answer(200))("third")];
      // A submit does not wait inside its request (the wait would count towards its timeout, and a
      // submit timed out may have been sent): runBatch waits at the gate before sending it.
      await gate.fetch(answer(200))("https://api/v1/models/owner/model", { method: "POST" });
      expect(sent).toEqual(["first", "https://api/v1/models/owner/model"]);
      sent.pop();
      await vi.advanceTimersByTimeAsync(1999);
      expect(sent).toEqual(["first"]);
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all(others);
      expect(sent).toEqual(["first", "second", "third"]);
      // Without Retry-After, a backoff that grows with each 429 in a row (500 ms, then 1 s; ¾ of it at this jitter).
      await gate.fetch(answer(429))("fourth");
      const fifth = gate.fetch(answer(429))("fifth");
      await vi.advanceTimersByTimeAsync(374);
      expect(sent.at(-1)).toBe("fourth");
      await vi.advanceTimersByTimeAsync(1);
      await fifth;
      const sixth = gate.fetch(answer(200))("sixth");
      await vi.advanceTimersByTimeAsync(749);
      expect(sent.at(-1)).toBe("fifth");
      await vi.advanceTimersByTimeAsync(1);
      await sixth;
      expect(sent.at(-1)).toBe("sixth");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the journal file", () => {
  it("keeps what was appended across reopening; a torn last line is dropped and cut off", async () => {
    const file = path.join(tmp.dir, "torn.journal");
    const j = await openBatchJournal(file);
    expect(existsSync(file)).toBe(false);
    await Promise.all([
      j.append({ line: 1, state: "submitting", modelId: T2V, key: "k1" }),
      j.append({ line: 2, state: "submitting", modelId: T2V, key: "k2" }),
    ]);
    await j.append({ line: 1, state: "submitted", requestId: "r1" });
    await j.close();
    appendFileSync(file, '{"line":2,"state":"subm');
    await expect(openBatchJournal(file)).rejects.toThrow(BatchJournalError);
    const again = await openBatchJournal(file, { resume: true });
    expect(again.resumed).toBe(true);
    expect(again.records().map((r) => `${r.line} ${r.state}`)).toEqual(["1 submitting", "2 submitting", "1 submitted"]);
    await again.append({ line: 2, state: "submitted", requestId: "r2" });
    await again.close();
    const text = readFileSync(file, "utf8");
    expect(
      text
        .split("\n")
        .slice(1, -1)
        .map((l) => JSON.parse(l).state),
    ).toEqual(["submitting", "submitting", "submitted", "submitted"]);
  });

  it("refuses a file that is not a journal", async () => {
    const file = path.join(tmp.dir, "other.journal");
    writeFileSync(file, '{"hello":1}\n');
    await expect(openBatchJournal(file, { resume: true })).rejects.toThrow("not a batch journal");
  });
});
