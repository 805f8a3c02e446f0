/**
 * Completion latency where one-off runs happen: each job a fresh `runcomfy-codegen run` process (no
 * run history; Node's start-up, the generated package's import and validation included) against the
 * offline emulator, beside fixed 2 s polling (the official CLI's) and fixed 1 s polling in the same
 * run, on the same machine load and job durations. Per job length: the delay from the job's
 * completion (the emulator's clock) to the output in hand — the CLI's `--json` output on its stdout —
 * and requests per job (submit included).
 *
 * Longer jobs run with time compressed (the emulator's durations and the polling intervals of both
 * sides divided by the scale; the CLI's clock sped up by bench/time-scale.ts, preloaded), delays
 * reported multiplied back; the short ones in real time. Compression multiplies the machine's
 * scheduling lag too, so the compressed rows lean late.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Emulator, startEmulator } from "../../generator/mock/emulator.js";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { BENCH_DIR, fmt, median, type Row } from "../stats.js";
import { fixedPolling, MODEL, p90, TOKEN } from "./client.js";

/** Job lengths (running time, s) and how much time is compressed for each. */
const LENGTHS = [
  { runS: 3, scale: 1 },
  { runS: 10, scale: 1 },
  { runS: 30, scale: 2 },
  { runS: 120, scale: 4 },
  { runS: 600, scale: 10 },
];
const CLI = path.join(PACKAGE_ROOT, "dist/generator/cli.js");
const TIME_SCALE = pathToFileURL(path.join(BENCH_DIR, "time-scale.js")).href;

interface Side {
  delays: number[];
  requestsPerJob: number;
}

/** One `run` in a fresh CLI process; resolves with its request id when its output is on stdout. */
function cliRun(emulator: Emulator, input: string, scale: number, done: (id: string) => void): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", TIME_SCALE, CLI, "run", MODEL, input, "--json", "--base-url", emulator.baseUrl],
    {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, RUNCOMFY_API_TOKEN: TOKEN, BENCH_TIME_SCALE: String(scale), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  let seen = false;
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const id = /"requestId": "([^"]+)"/.exec(out)?.[1];
    if (id && !seen) {
      seen = true;
      done(id);
    }
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on("close", (code) => (code === 0 && seen ? resolve() : reject(new Error(`run exited ${code}: ${err}`)))),
  );
}

/** Jobs of one length, one side: `start(emulator, done)` runs one job and calls `done(id)` with the output in hand. */
async function side(
  length: (typeof LENGTHS)[number],
  jobs: number,
  seed: number,
  start: (emulator: Emulator, done: (id: string) => void) => Promise<unknown>,
): Promise<Side> {
  const { runS, scale } = length;
  const emulator = await startEmulator({
    schemasDir: path.join(PACKAGE_ROOT, "schemas"),
    queueMs: [0, 2_000 / scale],
    runMs: [(runS * 850) / scale, (runS * 1150) / scale],
    seed,
  });
  try {
    const delays: number[] = [];
    const done = (id: string) => delays.push((Date.now() - emulator.job(id)!.finishedAt) * scale);
    await Promise.all(Array.from({ length: jobs }, () => start(emulator, done)));
    const requests = Object.values(emulator.stats().requests).reduce((a, b) => a + b, 0);
    return { delays, requestsPerJob: requests / jobs };
  } finally {
    await emulator.close();
  }
}

const seconds = (ms: number) => fmt(ms / 1000, 2);
const label = ({ runS }: (typeof LENGTHS)[number]) => (runS < 60 ? `${runS} s` : `${runS / 60} min`);

export async function benchClientFresh(
  log: (s: string) => void,
  jobs = Math.max(2, Number(process.env.BENCH_CLIENT_FRESH_JOBS ?? 10)),
): Promise<Row[]> {
  log(`client (fresh processes): ${jobs} CLI runs per job length beside fixed 2 s and 1 s polling…`);
  const dir = mkdtempSync(path.join(tmpdir(), "rcg-bench-fresh-"));
  const input = path.join(dir, "input.json");
  writeFileSync(input, JSON.stringify({ prompt: "bench" }));
  const results: { length: (typeof LENGTHS)[number]; ours: Side; fixed2: Side; fixed1: Side }[] = [];
  try {
    for (const [i, length] of LENGTHS.entries()) {
      const seed = 101 + i;
      const fixed = (ms: number) => (e: Emulator, done: (id: string) => void) =>
        fixedPolling(e.baseUrl, ms / length.scale).then(done);
      const [ours, fixed2, fixed1] = await Promise.all([
        side(length, jobs, seed, (e, done) => cliRun(e, input, length.scale, done)),
        side(length, jobs, seed, fixed(2_000)),
        side(length, jobs, seed, fixed(1_000)),
      ]);
      results.push({ length, ours, fixed2, fixed1 });
      log(
        `  ${label(length)}: ours p90 ${seconds(p90(ours.delays))} s, ${fmt(ours.requestsPerJob, 1)} req; fixed 2 s ${seconds(p90(fixed2.delays))} s, ${fmt(fixed2.requestsPerJob, 1)} req`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const each = (f: (r: (typeof results)[number]) => string) => results.map(f).join(" / ");
  const lengths = results.map((r) => label(r.length)).join(" / ");
  const worstP90 = Math.max(...results.map((r) => p90(r.ours.delays)));
  const worstRatio = Math.max(...results.map((r) => r.ours.requestsPerJob / r.fixed2.requestsPerJob));
  const compressed = LENGTHS.filter((l) => l.scale > 1)
    .map((l) => `${label(l)} ×${l.scale}`)
    .join(", ");
  return [
    {
      section: "client",
      metric: `fresh process (CLI run, no run history), completion → output in hand, p90 (median), s, jobs of ${lengths}; ${jobs} each (time compressed: ${compressed})`,
      ours: each((r) => `${seconds(p90(r.ours.delays))} (${seconds(median(r.ours.delays))})`),
      baseline: `${each((r) => `${seconds(p90(r.fixed2.delays))} (${seconds(median(r.fixed2.delays))})`)} (fixed 2 s polling); ${each((r) => seconds(p90(r.fixed1.delays)))} (fixed 1 s)`,
      ratio: `worst p90 ${seconds(worstP90)} s`,
      target: "p90 ≤ 1.0 s for each length",
      met: worstP90 <= 1_000 ? "yes" : "no",
    },
    {
      section: "client",
      metric: `fresh process (CLI run, no run history), requests per job, jobs of ${lengths}`,
      ours: each((r) => fmt(r.ours.requestsPerJob, 1)),
      baseline: `${each((r) => fmt(r.fixed2.requestsPerJob, 1))} (fixed 2 s polling); ${each((r) => fmt(r.fixed1.requestsPerJob, 1))} (fixed 1 s)`,
      ratio: `up to ${fmt(worstRatio, 2)}× fixed 2 s`,
      target: "≤ fixed 2 s polling for each length",
      met: worstRatio <= 1 ? "yes" : "no",
    },
  ];
}
