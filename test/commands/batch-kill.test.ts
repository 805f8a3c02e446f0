/**
 * `batch` killed with SIGKILL at random moments, ten times, and resumed each time, against the
 * emulator with faults (5xx, 429 with Retry-After, dropped connections, failed jobs): every line ends
 * finished or reported, no line was submitted twice (but for lines reported unknown and resubmitted
 * on request), and the results file is complete and in order. Emulator time is compressed (jobs of
 * milliseconds); the kill moments are seeded (a journal grown by a drawn number of bytes).
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../generator/mock/faults.js";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { ROOT, SCHEMAS, tempDir } from "../helpers.js";
import { CLI } from "./cli-process.js";

const TOKEN = "rc-batch-kill-token";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const LINES = 1000;
const KILLS = 10;
const tmp = tempDir("rcg-batch-kill-");
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    schemasDir: SCHEMAS,
    token: TOKEN,
    queueMs: [2, 30],
    runMs: [2, 40],
    failRate: 0.03,
    seed: 28,
    faults: [
      { route: "submit", status: 429, retryAfterSeconds: 0.02, probability: 0.04 },
      // A submit whose job is made and whose answer is lost: the line's outcome is unknown.
      { route: "submit", drop: true, after: true, probability: 0.005 },
      { route: "submit", status: 503, probability: 0.005 },
      { route: "status", status: 503, retryAfterSeconds: 0.01, probability: 0.03 },
      { route: "status", status: 429, retryAfterSeconds: 0.01, probability: 0.02 },
      { route: "status", drop: true, probability: 0.02 },
      { route: "result", status: 500, probability: 0.02 },
      { route: "result", drop: true, probability: 0.01 },
    ],
  });
});
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** One run of the CLI; killed with SIGKILL once the journal has grown by `killAfterBytes`. */
function batchRun(args: string[], journal: string, killAfterBytes?: number) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, RUNCOMFY_API_TOKEN: TOKEN, TERM: "dumb" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const start = size(journal);
  const watch =
    killAfterBytes === undefined
      ? undefined
      : setInterval(() => {
          if (size(journal) - start >= killAfterBytes) child.kill("SIGKILL");
        }, 2);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => {
      clearInterval(watch);
      resolve({ code, signal, stderr });
    }),
  );
}

describe("batch under kill -9 and faults", () => {
  it("ten kills and resumes: every line finished or reported, none submitted twice, the results complete and in order", async () => {
    const inputs = path.join(tmp.dir, "inputs.jsonl");
    writeFileSync(
      inputs,
      Array.from({ length: LINES }, (_, i) => JSON.stringify({ prompt: `kill line ${i + 1}` })).join("\n"),
    );
    const out = path.join(tmp.dir, "results.jsonl");
    const journal = `${out}.journal`;
    const args = [
      "batch",
      T2V,
      inputs,
      "--out",
      out,
      "--base-url",
      emulator.baseUrl,
      "--poll-interval",
      "5",
      "--concurrency",
      "32",
      "--resume",
    ];
    const random = seededRandom(2028);
    for (let k = 0; k < KILLS; k++) {
      const run = await batchRun(args, journal, Math.round(4_000 + random() * 20_000));
      // Each run was killed mid-batch, not finished on its own.
      expect(run.signal, run.stderr).toBe("SIGKILL");
    }
    const last = await batchRun(args, journal);
    expect(last.signal, last.stderr).toBe(null);

    const results = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    const byStatus = (s: string) => results.filter((r) => r.status === s);
    expect(byStatus("completed").length + byStatus("failed").length + byStatus("unknown").length).toBe(LINES);
    expect(byStatus("completed").length).toBeGreaterThan(LINES / 2);
    for (const r of [...byStatus("completed"), ...byStatus("failed")])
      expect(emulator.job(r.request_id)?.input, `line ${r.line}`).toEqual({ prompt: `kill line ${r.line}` });

    const counts = new Map(
      emulator.submissionsPerInput().map((s) => [(s.input as { prompt: string }).prompt, s.count]),
    );
    expect(Math.max(...counts.values())).toBe(1);
    // Every job the emulator made belongs to a line whose result names it, or to a line reported unknown.
    const unknown = new Set(byStatus("unknown").map((r) => r.line));
    const named = new Set(results.map((r) => r.request_id).filter(Boolean));
    for (const j of emulator.jobs()) {
      const line = Number((j.input as { prompt: string }).prompt.replace("kill line ", ""));
      if (!named.has(j.requestId)) expect(unknown.has(line), `job of line ${line}`).toBe(true);
    }

    // Asked to, the unknown lines are submitted again: only they may count two jobs.
    expect(unknown.size).toBeGreaterThan(0);
    emulator.setFaults([]);
    const again = await batchRun([...args, "--resubmit-unknown"], journal);
    expect(again.signal).toBe(null);
    const final = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(final.map((r) => r.line)).toEqual(results.map((r) => r.line));
    expect(final.filter((r) => r.status === "unknown")).toEqual([]);
    for (const s of emulator.submissionsPerInput()) {
      const line = Number((s.input as { prompt: string }).prompt.replace("kill line ", ""));
      expect(s.count, `line ${line}`).toBeLessThanOrEqual(unknown.has(line) ? 2 : 1);
    }
  }, 180_000);
});
