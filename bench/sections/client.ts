/**
 * The queue client against fixed 2-second polling: JOBS jobs with RunComfy-like durations (images
 * 3–30 s, videos 30–300 s, a queue wait of 0–5 s) on the offline emulator, all at once; requests per
 * job, and the delay from the job's completion (the emulator's clock) to the output in the caller's
 * hands. Time runs SCALE× faster than real time (emulator durations and both sides' polling
 * intervals divided by SCALE; delays reported multiplied back), so the section takes a minute, not
 * ten; BENCH_CLIENT_TIME_SCALE=1 runs it in real time with the client's own default intervals.
 * BENCH_RUNS rounds (default 3), medians over them.
 */
import path from "node:path";
import { startEmulator } from "../../generator/mock/emulator.js";
import { createRuntimeClient } from "../../generator/runtime/client/client.js";
import { DEFAULT_MAX_POLL_MS, DEFAULT_POLL_MS } from "../../generator/runtime/client/run.js";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { fmt, median, type Row } from "../stats.js";

export const MODEL = "bytedance/dreamina-3-0/pro/text-to-video";
// A token shaped like a real one (the client redacts the token from every answer, so a one-letter token would mangle them).
export const TOKEN = "rc-bench-0123456789abcdef0123456789abcdef";

/** The runtime's client against the emulator, validation off: the client rows time the queue API alone. */
export const benchApiClient = (baseUrl: string) =>
  createRuntimeClient({
    token: TOKEN,
    baseUrl,
    validate: false,
    loadModel: async () => ({ validate: async () => ({ valid: true, issues: [] }) }) as never,
    knownModel: () => true,
  });
const KINDS = [
  { kind: "image", jobs: 70, runMs: [3_000, 30_000] as [number, number] },
  { kind: "video", jobs: 30, runMs: [30_000, 300_000] as [number, number] },
];

/**
 * Fixed polling, as the official CLI does it: submits, asks the status every `intervalMs`, then
 * fetches the result once it says completed. Returns the request id once the output is in hand.
 */
export async function fixedPolling(baseUrl: string, intervalMs: number): Promise<string> {
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const submitted = await (
    await fetch(`${baseUrl}/models/${MODEL}`, { method: "POST", headers, body: JSON.stringify({ prompt: "bench" }) })
  ).json();
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const { status } = await (await fetch(`${baseUrl}/requests/${submitted.request_id}/status`, { headers })).json();
    if (status === "completed") break;
  }
  await (await fetch(`${baseUrl}/requests/${submitted.request_id}/result`, { headers })).json();
  return submitted.request_id;
}

/** The 90th percentile (the value 90 % of them are at or below). */
export const p90 = (l: number[]) => [...l].sort((a, b) => a - b)[Math.min(l.length - 1, Math.ceil(l.length * 0.9) - 1)];

interface Outcome {
  requests: number;
  jobs: number;
  delays: number[];
}

async function runStrategy(strategy: "ours" | "fixed", scale: number, seed: number): Promise<Outcome> {
  const outcome: Outcome = { requests: 0, jobs: 0, delays: [] };
  await Promise.all(
    KINDS.map(async ({ jobs, runMs }, k) => {
      const emulator = await startEmulator({
        schemasDir: path.join(PACKAGE_ROOT, "schemas"),
        queueMs: [0, 5_000 / scale],
        runMs: [runMs[0] / scale, runMs[1] / scale],
        seed: seed + k,
      });
      try {
        const done = (id: string) => outcome.delays.push((Date.now() - emulator.job(id)!.finishedAt) * scale);
        const client = benchApiClient(emulator.baseUrl);
        // The client's own default intervals, compressed like everything else.
        const polling =
          scale === 1
            ? {}
            : { pollIntervalMs: DEFAULT_POLL_MS / scale, maxPollIntervalMs: DEFAULT_MAX_POLL_MS / scale };
        await Promise.all(
          Array.from({ length: jobs }, async () => {
            if (strategy === "ours") {
              let id = "";
              await client.run(MODEL as never, { prompt: "bench" } as never, {
                ...polling,
                onSubmitted: (j) => (id = j.requestId),
              });
              return done(id);
            }
            done(await fixedPolling(emulator.baseUrl, 2_000 / scale));
          }),
        );
        const s = emulator.stats().requests;
        outcome.requests += Object.values(s).reduce((a, b) => a + b, 0);
        outcome.jobs += jobs;
      } finally {
        await emulator.close();
      }
    }),
  );
  return outcome;
}

/** One round: both sides at once, on the same machine load, with the same job durations. */
async function round(scale: number, seed: number) {
  const [ours, fixed] = await Promise.all([runStrategy("ours", scale, seed), runStrategy("fixed", scale, seed)]);
  return {
    requests: [ours.requests / ours.jobs, fixed.requests / fixed.jobs],
    delay: [median(ours.delays), median(fixed.delays)],
    p90: [p90(ours.delays), p90(fixed.delays)],
  };
}

/**
 * `runs` rounds (each with other durations), one after the other; each figure is the median over
 * the rounds, and the ratio that of the medians. Compressed time turns the machine's scheduling lag
 * into delay ×scale, so single rounds on a loaded machine scatter.
 */
export async function benchClient(
  scale: number,
  log: (s: string) => void,
  runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3)),
): Promise<Row[]> {
  const total = KINDS.reduce((n, k) => n + k.jobs, 0);
  log(
    `client: ${runs} rounds of ${total} jobs per side, time ${scale}× compressed (about ${fmt((runs * 300) / scale)} s)…`,
  );
  const rounds: Awaited<ReturnType<typeof round>>[] = [];
  for (let r = 0; r < runs; r++) rounds.push(await round(scale, 21 + 10 * r));
  const mid = (key: "requests" | "delay" | "p90", side: 0 | 1) => median(rounds.map((x) => x[key][side]));
  const [ro, rf] = [mid("requests", 0), mid("requests", 1)];
  const [dOurs, dFixed] = [mid("delay", 0), mid("delay", 1)];
  const label = `${total} jobs (images 3–30 s, videos 30–300 s${scale === 1 ? "" : `, time ${scale}× compressed`}), median of ${runs} rounds`;
  return [
    {
      section: "client",
      metric: `requests per job, ${label}`,
      ours: fmt(ro, 2),
      baseline: `${fmt(rf, 2)} (fixed 2 s polling)`,
      ratio: `${fmt(ro / rf, 2)}×`,
      target: "fewer",
      met: ro < rf ? "yes" : "no",
    },
    {
      section: "client",
      metric: "completion → output in hand, median / p90 (real-time equivalent)",
      ours: `${fmt(dOurs)} / ${fmt(mid("p90", 0))} ms`,
      baseline: `${fmt(dFixed)} / ${fmt(mid("p90", 1))} ms`,
      ratio: `${fmt(dOurs / dFixed, 2)}×`,
      target: "lower median",
      met: dOurs < dFixed ? "yes" : "no",
    },
  ];
}
