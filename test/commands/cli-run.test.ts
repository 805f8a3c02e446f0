/** `run` and `mock-server` from the command line, against the emulator. */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { ROOT, SCHEMAS, tempDir, captureCli } from "../helpers.js";
import { CLI, spawnCli } from "./cli-process.js";

const TOKEN = "rc-cli-token-77aa";
const tmp = tempDir();
let emulator: Emulator;
beforeAll(
  async () => (emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 100, runMs: 100, token: TOKEN })),
);
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

const cli = (argv: string[], env: Record<string, string> = {}) =>
  captureCli(argv, { env: { RUNCOMFY_API_TOKEN: TOKEN, ...env } });

describe("cli run", () => {
  const input = path.join(tmp.dir, "in.json");
  writeFileSync(input, JSON.stringify({ prompt: "a teapot" }));

  it("prints progress as plain lines, the output URLs, and downloads them", async () => {
    const dir = path.join(tmp.dir, "downloads");
    // Long enough in the queue that the first poll sees it queued even on a loaded machine.
    const queued = await startEmulator({ schemasDir: SCHEMAS, queueMs: 1500, runMs: 100, token: TOKEN });
    const r = await cli([
      "run",
      "bytedance/dreamina-3-0/pro/text-to-video",
      input,
      "--base-url",
      queued.baseUrl,
      "--download",
      dir,
      "--allow-private-network",
    ]).finally(() => queued.close());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^video\thttp:\/\/127\.0\.0\.1:\d+\/media\/.+\.mp4\n$/);
    expect(r.stderr).toMatch(/submitted [0-9a-f-]+\nin_queue \(queue position 1\), [\d.]+ s\n/);
    expect(r.stderr).toContain("completed");
    const [file] = readdirSync(dir);
    expect(readFileSync(path.join(dir, file)).subarray(4, 8).toString()).toBe("ftyp");
  });

  it("--json prints the request id and the whole output (as result --json); failures exit 1 with the error", async () => {
    const r = await cli([
      "run",
      "bytedance/dreamina-3-0/pro/text-to-video",
      input,
      "--base-url",
      emulator.baseUrl,
      "--json",
    ]);
    const printed = JSON.parse(r.stdout);
    expect(Object.keys(printed)).toEqual(["requestId", "output"]);
    expect(Object.keys(printed.output)).toEqual(["video"]);
    const bad = path.join(tmp.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ prompt: 1 }));
    const invalid = await cli(["run", "bytedance/dreamina-3-0/pro/text-to-video", bad, "--base-url", emulator.baseUrl]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("ValidationError");
    expect(invalid.stderr).toContain("/prompt  must be string");
    const noToken = await cli(["run", "bytedance/dreamina-3-0/pro/text-to-video", input], { RUNCOMFY_API_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("set RUNCOMFY_API_TOKEN");
  });

  it("--json failures are JSON error objects on stdout with type, message, requestId, status, errorCode", async () => {
    const bad = path.join(tmp.dir, "bad-json.json");
    writeFileSync(bad, JSON.stringify({ prompt: 1 }));
    const invalid = await cli([
      "run",
      "bytedance/dreamina-3-0/pro/text-to-video",
      bad,
      "--base-url",
      emulator.baseUrl,
      "--json",
    ]);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toEqual({
      error: {
        type: "ValidationError",
        message: expect.stringContaining("/prompt"),
        exitCode: 1,
        issues: [{ path: "/prompt", message: "must be string" }],
      },
    });
    const denied = await cli(
      ["run", "bytedance/dreamina-3-0/pro/text-to-video", input, "--base-url", emulator.baseUrl, "--json"],
      { RUNCOMFY_API_TOKEN: "wrong-token" },
    );
    expect(denied.code).toBe(3);
    expect(JSON.parse(denied.stdout).error).toMatchObject({
      type: "AuthenticationError",
      status: 401,
      errorCode: expect.anything(),
      exitCode: 3,
    });
    expect(denied.stdout + denied.stderr).not.toContain("wrong-token");
  });

  it("--timeout ends with exit 4 and the request id to follow up with", async () => {
    const slow = await startEmulator({ schemasDir: SCHEMAS, queueMs: 600_000, token: TOKEN });
    try {
      const r = await cli([
        "run",
        "bytedance/dreamina-3-0/pro/text-to-video",
        input,
        "--base-url",
        slow.baseUrl,
        "--timeout",
        "0.3",
        "--json",
      ]);
      expect(r.code).toBe(4);
      const { error } = JSON.parse(r.stdout);
      expect(error).toMatchObject({
        type: "TimeoutError",
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        exitCode: 4,
      });
      expect(slow.job(error.requestId)?.status).toBe("in_queue");
      expect(error.hint).toContain(`runcomfy-codegen status ${error.requestId}`);
      const text = await cli([
        "run",
        "bytedance/dreamina-3-0/pro/text-to-video",
        input,
        "--base-url",
        slow.baseUrl,
        "--timeout",
        "0.3",
      ]);
      expect(text.stderr).toMatch(
        /TimeoutError: .*\nthe job keeps running \(and is billed\): follow it with `runcomfy-codegen status [0-9a-f-]+`/,
      );
    } finally {
      await slow.close();
    }
  });
});

describe("cli processes", () => {
  it("mock-server prints its base URL and stops cleanly on SIGTERM", async () => {
    const p = spawnCli(["mock-server", "--port", "0", "--schemas", SCHEMAS], {}, /http:\/\/127\.0\.0\.1:\d+\/v1/);
    const url = await p.seen;
    const res = await fetch(`${url}/models?limit=2`, { headers: { authorization: "Bearer x" } });
    expect(await res.json()).toMatchObject({ total: 4, limit: 2, offset: 0 });
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("Ctrl-C during run cancels the queued job and exits 130", async () => {
    const slow = await startEmulator({ schemasDir: SCHEMAS, queueMs: 60_000, token: TOKEN });
    try {
      const input = path.join(tmp.dir, "in2.json");
      writeFileSync(input, JSON.stringify({ prompt: "slow" }));
      const p = spawnCli(
        ["run", "bytedance/dreamina-3-0/pro/text-to-video", input, "--base-url", slow.baseUrl],
        { RUNCOMFY_API_TOKEN: TOKEN },
        /in_queue/,
      );
      await p.seen;
      p.child.kill("SIGINT");
      expect(await p.exited).toBe(130);
      const id = /submitted ([0-9a-f-]+)/.exec(p.output())![1];
      expect(slow.job(id)?.status).toBe("cancelled");
      expect(p.output()).toContain(`cancelled while queued: nothing billed [request ${id}]`);
      expect(p.output()).not.toContain("keeps running");
      expect(p.output()).not.toContain(TOKEN);
    } finally {
      await slow.close();
    }
  });

  /** The lines an interrupted run prints for a job that had started: it is billed, and how to follow it. */
  const expectStillRunning = (output: string, id: string) => {
    expect(output).toContain(
      `already running: it keeps running and is billed; follow it with \`runcomfy-codegen status ${id}\`, get its output with \`runcomfy-codegen result ${id}\``,
    );
    expect(output).toContain(`\`runcomfy-codegen cancel ${id}\``);
    expect(output).not.toContain("nothing billed");
  };

  it("Ctrl-C while the job runs says it keeps running and how to follow or cancel it; the job is not cancelled", async () => {
    const running = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 600_000, token: TOKEN });
    try {
      const input = path.join(tmp.dir, "in3.json");
      writeFileSync(input, JSON.stringify({ prompt: "long" }));
      const p = spawnCli(
        ["run", "bytedance/dreamina-3-0/pro/text-to-video", input, "--base-url", running.baseUrl],
        { RUNCOMFY_API_TOKEN: TOKEN },
        /in_progress/,
      );
      await p.seen;
      p.child.kill("SIGINT");
      expect(await p.exited).toBe(130);
      const id = /submitted ([0-9a-f-]+)/.exec(p.output())![1];
      expectStillRunning(p.output(), id);
      expect(running.job(id)?.status).toBe("in_progress");
    } finally {
      await running.close();
    }
  });

  it("Ctrl-C after the job started though the last poll said queued: the cancel's answer says it keeps running", async () => {
    const racing = await startEmulator({ schemasDir: SCHEMAS, queueMs: 3000, runMs: 600_000, token: TOKEN });
    try {
      const input = path.join(tmp.dir, "in3b.json");
      writeFileSync(input, JSON.stringify({ prompt: "race" }));
      const p = spawnCli(
        ["run", "bytedance/dreamina-3-0/pro/text-to-video", input, "--base-url", racing.baseUrl, "--json"],
        { RUNCOMFY_API_TOKEN: TOKEN },
        /in_queue/,
      );
      await p.seen;
      // The next status poll hangs, so the last one the CLI saw says queued while the job starts.
      racing.setFaults([{ route: "status", delayMs: 20_000, times: 1 }]);
      const id = /submitted ([0-9a-f-]+)/.exec(p.output())![1];
      await vi.waitFor(() => expect(racing.job(id)?.status).toBe("in_progress"), { timeout: 10_000, interval: 20 });
      expect(p.output()).not.toContain("in_progress");
      p.child.kill("SIGINT");
      expect(await p.exited).toBe(130);
      const { error } = JSON.parse(p.output().slice(p.output().indexOf('{\n  "error"')));
      expect(error).toMatchObject({
        type: "AbortedError",
        requestId: id,
        exitCode: 130,
        cancel: { cancelled: false, status: "in_progress", outcome: "not_cancellable" },
      });
      expectStillRunning(error.hint, id);
      expect(racing.job(id)?.status).toBe("in_progress");
      expect(racing.stats().requests.cancel).toBe(1);
    } finally {
      await racing.close();
    }
  });

  it("in a pipe, progress is plain lines without control characters", async () => {
    const queued = await startEmulator({ schemasDir: SCHEMAS, queueMs: 800, runMs: 300, token: TOKEN });
    try {
      const input = path.join(tmp.dir, "in4.json");
      writeFileSync(input, JSON.stringify({ prompt: "piped" }));
      const p = spawnCli(
        ["run", "bytedance/dreamina-3-0/pro/text-to-video", input, "--base-url", queued.baseUrl],
        { RUNCOMFY_API_TOKEN: TOKEN },
        /done in/,
      );
      await p.seen;
      expect(await p.exited).toBe(0);
      expect(p.output()).toMatch(/^submitted [0-9a-f-]+\nin_queue \(queue position 1\), [\d.]+ s\n/m);
      // eslint-disable-next-line no-control-regex
      expect(p.output()).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    } finally {
      await queued.close();
    }
  });

  // A real terminal through `script` (Debian's bsdutils, from util-linux; .ci/run installs it when missing):
  // the live line with spinner, ticking time and id. Missing, the test fails rather than skip unseen.
  it("in a terminal, one live line: spinner, status, queue position, ticking elapsed time, request id", async () => {
    if (spawnSync("script", ["--version"]).status !== 0)
      throw new Error("`script` is missing: install Debian's bsdutils (apt-get install -y bsdutils; .ci/run does it)");
    const queued = await startEmulator({ schemasDir: SCHEMAS, queueMs: 1500, runMs: 500, token: TOKEN });
    try {
      const input = path.join(tmp.dir, "in5.json");
      writeFileSync(input, JSON.stringify({ prompt: "tty" }));
      const cmd = [
        process.execPath,
        CLI,
        "run",
        "bytedance/dreamina-3-0/pro/text-to-video",
        input,
        "--base-url",
        queued.baseUrl,
      ]
        .map((a) => `'${a}'`)
        .join(" ");
      const p = spawn("script", ["-qfec", cmd, "/dev/null"], {
        cwd: ROOT,
        env: { ...process.env, RUNCOMFY_API_TOKEN: TOKEN, TERM: "xterm" },
      });
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => p.on("exit", resolve));
      expect(code, out).toBe(0);
      const frames = out.split("\r\x1b[2K").slice(1);
      const id = /request ([0-9a-f-]{36})/.exec(out)![1];
      expect(
        frames.some((f) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] in_queue · queue position 1 · [\d.]+ s · request [0-9a-f-]{36}$/.test(f)),
      ).toBe(true);
      // The time ticks between status changes: several distinct values while the job sits in the queue.
      const queuedTimes = new Set(frames.filter((f) => f.includes("in_queue")).map((f) => /· ([\d.]+) s/.exec(f)![1]));
      expect(queuedTimes.size).toBeGreaterThan(2);
      expect(out).toContain(`request ${id}`);
      expect(out).toMatch(/done in [\d.]+ s \[request [0-9a-f-]{36}\]/);
    } finally {
      await queued.close();
    }
  });
});
