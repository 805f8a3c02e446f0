/** `batch` from the command line, against the emulator: validation first, the estimate, the journal, resume, the ceiling. */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { png } from "../../generator/mock/images.js";
import { captureCli, ROOT, SCHEMAS, tempDir } from "../helpers.js";
import { CLI } from "./cli-process.js";
import { pricedSchemas } from "../pricing-fixture.js";

const TOKEN = "rc-cli-batch-token";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const EDIT = "bytedance/dreamina-4-0/edit";
const tmp = tempDir("rcg-cli-batch-");
const priced = path.join(tmp.dir, "priced-package");
let emulator: Emulator;
const emulators: Emulator[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: [5, 30], runMs: [5, 30], token: TOKEN });
  await generate({ schemasDir: pricedSchemas(path.join(tmp.dir, "priced")), outDir: priced });
}, 120_000);
afterAll(async () => {
  await Promise.all([emulator, ...emulators].map((e) => e.close()));
  tmp.cleanup();
});

const cli = (argv: string[], env: Record<string, string> = {}) =>
  captureCli(argv, { env: { RUNCOMFY_API_TOKEN: TOKEN, ...env } });
const file = (name: string, rows: unknown[]) => {
  const f = path.join(tmp.dir, name);
  writeFileSync(f, rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n");
  return f;
};
const readResults = (f: string) =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const prompts = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `${tag} ${i + 1}` }));
const batch = (inputs: string, out: string, ...more: string[]) =>
  cli(["batch", T2V, inputs, "--out", out, "--base-url", emulator.baseUrl, "--poll-interval", "5", ...more]);

describe("cli batch", () => {
  it("runs every line, writes the results in input order with the journal beside them; a resume redoes nothing", async () => {
    const inputs = file("happy.jsonl", prompts("happy", 12));
    const out = path.join(tmp.dir, "happy-results.jsonl");
    const before = emulator.stats().submits;
    const r = await batch(inputs, out, "--concurrency", "3");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("12 lines: 12 valid, 0 invalid");
    expect(r.stderr).toContain(
      "12 lines cannot be priced (counted as $0 in the estimate):\n  lines 1-12: no price is recorded",
    );
    expect(r.stderr).toContain("12 lines: 12 completed");
    const results = readResults(out);
    expect(results.map((x) => [x.line, x.status])).toEqual(prompts("happy", 12).map((_, i) => [i + 1, "completed"]));
    for (const x of results) expect(emulator.job(x.request_id)?.input).toEqual({ prompt: `happy ${x.line}` });
    expect(Object.keys(results[0])).toEqual(["line", "model_id", "request_id", "status", "output"]);
    expect(emulator.stats().submits - before).toBe(12);
    expect(existsSync(`${out}.journal`)).toBe(true);

    const again = await batch(inputs, out);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--resume");
    const resumed = await batch(inputs, out, "--resume");
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${out}.journal`);
    expect(emulator.stats().submits - before).toBe(12);
    expect(readResults(out)).toEqual(results);
  });

  it("reports every invalid line with its number and submits nothing; --skip-invalid runs the others", async () => {
    const inputs = file("invalid.jsonl", [{ prompt: "ok 1" }, "", { prompt: 3 }, "{not json", { prompt: "ok 5" }]);
    const out = path.join(tmp.dir, "invalid-results.jsonl");
    const before = emulator.stats().requests.submit;
    const r = await batch(inputs, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("line 3: /prompt  must be string");
    expect(r.stderr).toMatch(/line 4: \/ {2}not JSON/);
    expect(r.stderr).toContain("4 lines: 2 valid, 2 invalid");
    expect(r.stderr).toContain("2 invalid lines (3-4): nothing was submitted");
    expect(emulator.stats().requests.submit).toBe(before);
    expect(existsSync(out) || existsSync(`${out}.journal`)).toBe(false);

    const skipped = await batch(inputs, out, "--skip-invalid");
    expect(skipped.code).toBe(1);
    expect(readResults(out).map((x) => [x.line, x.status])).toEqual([
      [1, "completed"],
      [3, "invalid"],
      [4, "invalid"],
      [5, "completed"],
    ]);
  });

  it('runs a mixed file of {"model_id", "input"} lines, and a dry run needs no token', async () => {
    const inputs = file("mixed.jsonl", [
      { model_id: T2V, input: { prompt: "mixed a" } },
      { model_id: EDIT, input: { prompt: "mixed b", image_urls: ["https://example.com/a.png"] } },
      { model_id: "no/such-model", input: {} },
      { prompt: "not mixed" },
    ]);
    const out = path.join(tmp.dir, "mixed-results.jsonl");
    const dry = await cli(["batch", inputs, "--out", out, "--dry-run", "--no-probe"], { RUNCOMFY_API_TOKEN: "" });
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('line 3: /  unknown model id "no/such-model"');
    expect(dry.stderr).toContain('line 4: /  a line of a mixed batch is {"model_id"');
    expect(existsSync(out)).toBe(false);
    const r = await cli([
      "batch",
      inputs,
      "--out",
      out,
      "--base-url",
      emulator.baseUrl,
      "--skip-invalid",
      "--no-probe",
      "--poll-interval",
      "5",
    ]);
    expect(readResults(out).map((x) => [x.model_id, x.status])).toEqual([
      [T2V, "completed"],
      [EDIT, "completed"],
      ["no/such-model", "invalid"],
      ["", "invalid"],
    ]);
    expect(r.code).toBe(1);
  });

  it("prints the estimate first; --max-cost refuses a batch estimated above it and stops before the reported costs pass it", async () => {
    // The catalog's price is ten times the one the package was generated with: the reported costs exceed the estimates.
    const dear = await startEmulator({
      schemasDir: SCHEMAS,
      queueMs: 5,
      runMs: 5,
      token: TOKEN,
      catalog: { [EDIT]: { base_price_usd: 0.3, price_unit: "output" } },
    });
    emulators.push(dear);
    const rows = prompts("priced", 4).map((p) => ({
      ...p,
      image_urls: ["https://example.com/a.png"],
      force_single: true,
    }));
    const inputs = file("priced.jsonl", [...rows, { ...rows[0], prompt: "priced 5", force_single: false }]);
    const out = path.join(tmp.dir, "priced-results.jsonl");
    const run = (...more: string[]) =>
      cli([
        "batch",
        EDIT,
        inputs,
        "--out",
        out,
        "--package",
        priced,
        "--base-url",
        dear.baseUrl,
        "--poll-interval",
        "5",
        "--no-probe",
        ...more,
      ]);
    const refused = await run("--max-cost", "0.1");
    expect(refused.stderr).toContain("estimated cost: $0.12 for 4 priced lines");
    expect(refused.stderr).toContain(
      "1 line cannot be priced (counted as $0 in the estimate):\n  line 5: `force_single` is false",
    );
    expect(refused.stderr).toContain("above the ceiling of $0.1; nothing was submitted");
    expect(refused.code).toBe(1);
    expect(dear.stats().requests.submit).toBe(0);

    const stopped = await run("--max-cost", "0.32", "--concurrency", "1");
    expect(stopped.code).toBe(1);
    expect(readResults(out).map((x) => [x.status, x.cost])).toEqual([
      ["completed", 0.3],
      ["not_submitted", undefined],
      ["not_submitted", undefined],
      ["not_submitted", undefined],
      ["not_submitted", undefined],
    ]);
    expect(stopped.stderr).toContain("would pass the cost ceiling of $0.32");
    expect(dear.stats().submits).toBe(1);
  });

  it("a local file at a media input (@path) is sent as a data URI, as run sends it", async () => {
    const image = path.join(tmp.dir, "cat.png");
    writeFileSync(image, png(600, 600));
    const inputs = file("local.jsonl", [{ model_id: EDIT, input: { prompt: "local", image_urls: [`@${image}`] } }]);
    const out = path.join(tmp.dir, "local-results.jsonl");
    const r = await cli(["batch", inputs, "--out", out, "--base-url", emulator.baseUrl, "--poll-interval", "5"]);
    expect(r.code).toBe(0);
    const [result] = readResults(out);
    const sent = emulator.job(result.request_id)?.input as { image_urls: string[] };
    expect(sent.image_urls[0]).toMatch(/^data:image\/png;base64,/);
  });

  it("--download saves each completed line's outputs, and a resume keeps the files already saved", async () => {
    const inputs = file("download.jsonl", prompts("download", 3));
    const out = path.join(tmp.dir, "download-results.jsonl");
    const dir = path.join(tmp.dir, "batch-downloads");
    const r = await batch(inputs, out, "--download", dir, "--allow-private-network");
    expect(r.code).toBe(0);
    const saved = readdirSync(dir).sort();
    expect(saved).toEqual(
      readResults(out)
        .map((x) => `${x.request_id}-video.mp4`)
        .sort(),
    );
    expect(readFileSync(path.join(dir, saved[0])).subarray(4, 8).toString()).toBe("ftyp");
    const resumed = await batch(inputs, out, "--download", dir, "--allow-private-network", "--resume");
    expect(resumed.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(saved);
  });

  it("Ctrl-C stops submitting, and names the jobs that keep running (billed) with their request ids", async () => {
    const running = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 600_000, token: TOKEN });
    emulators.push(running);
    const inputs = file("interrupt.jsonl", prompts("interrupt", 4));
    const out = path.join(tmp.dir, "interrupt-results.jsonl");
    const args = [
      "batch",
      T2V,
      inputs,
      "--out",
      out,
      "--base-url",
      running.baseUrl,
      "--poll-interval",
      "5",
      "--concurrency",
      "2",
    ];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, RUNCOMFY_API_TOKEN: TOKEN },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Interrupted once both jobs run (the emulator says so).
    const watch = setInterval(() => {
      if (running.stats().jobs.in_progress === 2) {
        clearInterval(watch);
        child.kill("SIGINT");
      }
    }, 5);
    const code = await exited;
    clearInterval(watch);
    expect(code).toBe(130);
    expect(stderr).toContain("interrupted: nothing more is submitted");
    const results = readResults(out);
    expect(results.map((x) => x.status)).toEqual(["running", "running", "not_submitted", "not_submitted"]);
    expect(stderr).toContain(
      `keep running and are billed (--resume collects their results): line 1 [request ${results[0].request_id}], line 2 [request ${results[1].request_id}]`,
    );
    expect(running.stats().submits).toBe(2);
  });
});
