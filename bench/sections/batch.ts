/**
 * Batch runs against a plain loop of `run` calls at the same concurrency: JOBS jobs on the offline
 * emulator (a queue wait and running times of a few seconds, divided by SCALE like the client
 * section), wall time and requests per job. The batch journals every submit and answer to a file
 * (fsynced) and validates and prices every line first; the loop does neither. BENCH_RUNS rounds, the
 * two strategies interleaved in each (after an untimed warm-up round), medians over them;
 * BENCH_BATCH_JOBS sets the number of jobs (default 1,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator } from "../../generator/mock/emulator.js";
import { runBatch, type BatchLine } from "../../generator/runtime/batch/batch.js";
import { openBatchJournal } from "../../generator/runtime/batch/batch-journal.js";
import { DEFAULT_MAX_POLL_MS, DEFAULT_POLL_MS } from "../../generator/runtime/client/run.js";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { fmt, median, type Row } from "../stats.js";
import { benchApiClient } from "./client.js";

const MODEL = "bytedance/dreamina-3-0/pro/text-to-video";
const JOBS = Math.max(1, Number(process.env.BENCH_BATCH_JOBS ?? 1000));
const CONCURRENCY = 50;

interface Outcome {
  wallMs: number;
  requestsPerJob: number;
}

async function round(
  strategy: "batch" | "loop",
  scale: number,
  seed: number,
  dir: string,
  jobs = JOBS,
): Promise<Outcome> {
  const emulator = await startEmulator({
    schemasDir: path.join(PACKAGE_ROOT, "schemas"),
    queueMs: [0, 2_000 / scale],
    runMs: [1_000 / scale, 5_000 / scale],
    seed,
  });
  try {
    const client = benchApiClient(emulator.baseUrl);
    const polling = { pollIntervalMs: DEFAULT_POLL_MS / scale, maxPollIntervalMs: DEFAULT_MAX_POLL_MS / scale };
    const lines: BatchLine[] = Array.from({ length: jobs }, (_, i) => ({
      line: i + 1,
      modelId: MODEL,
      input: { prompt: `bench ${i + 1}` },
    }));
    const started = Date.now();
    if (strategy === "batch") {
      const journal = await openBatchJournal(path.join(dir, `${seed}.journal`));
      let done = 0;
      for await (const r of runBatch(client, lines, { concurrency: CONCURRENCY, journal, ...polling }))
        if (r.status === "completed") done++;
      await journal.close();
      if (done !== jobs) throw new Error(`the batch completed ${done} of ${jobs} jobs`);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < lines.length) {
            const l = lines[next++];
            await client.run(MODEL as never, l.input as never, polling);
          }
        }),
      );
    }
    const wallMs = Date.now() - started;
    const { requests } = emulator.stats();
    const sent = requests.submit + requests.status + requests.result + requests.cancel;
    return { wallMs, requestsPerJob: sent / jobs };
  } finally {
    await emulator.close();
  }
}

export async function benchBatch(runs: number, scale: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "rcg-bench-batch-"));
  const outcomes = { batch: [] as Outcome[], loop: [] as Outcome[] };
  try {
    // A small untimed round of each first: neither strategy pays the process's warm-up.
    for (const strategy of ["batch", "loop"] as const) await round(strategy, scale, 499, dir, CONCURRENCY);
    for (let r = 0; r < runs; r++) {
      for (const strategy of r % 2 ? (["loop", "batch"] as const) : (["batch", "loop"] as const)) {
        log(`batch: ${JOBS} jobs at concurrency ${CONCURRENCY}, ${strategy}, round ${r + 1} of ${runs}…`);
        outcomes[strategy].push(await round(strategy, scale, 500 + r, dir));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = (s: "batch" | "loop") => median(outcomes[s].map((o) => o.wallMs));
  const perJob = (s: "batch" | "loop") => median(outcomes[s].map((o) => o.requestsPerJob));
  const what = `${fmt(JOBS)} jobs, concurrency ${CONCURRENCY}, durations ÷${scale}`;
  return [
    {
      section: "batch",
      metric: `wall time, ${what} (journal fsynced per submit and answer) vs a loop of run calls`,
      ours: `${fmt(wall("batch") / 1000, 1)} s`,
      baseline: `${fmt(wall("loop") / 1000, 1)} s`,
      ratio: `${fmt(wall("batch") / wall("loop"), 2)}×`,
      target: "≤ 1.1×",
      met: wall("batch") <= wall("loop") * 1.1 ? "yes" : "no",
    },
    {
      section: "batch",
      metric: `requests per job, ${what} vs a loop of run calls`,
      ours: fmt(perJob("batch"), 2),
      baseline: fmt(perJob("loop"), 2),
      ratio: `${fmt(perJob("batch") / perJob("loop"), 2)}×`,
      target: "≤ 1.1×",
      met: perJob("batch") <= perJob("loop") * 1.1 ? "yes" : "no",
    },
  ];
}
