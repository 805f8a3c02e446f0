/** `status`, `result` and `cancel <request-id>` from the command line, against the emulator. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { EXIT } from "../../generator/commands/context.js";
import { SCHEMAS, captureCli } from "../helpers.js";
import { spawnCli } from "./cli-process.js";

const TOKEN = "rc-requests-token-31";
const MODEL = "bytedance/dreamina-3-0/pro/text-to-video";
let fast: Emulator;
let queued: Emulator;
let running: Emulator;
let failing: Emulator;
beforeAll(async () => {
  [fast, queued, running, failing] = await Promise.all([
    startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token: TOKEN }),
    startEmulator({ schemasDir: SCHEMAS, queueMs: 600_000, token: TOKEN }),
    startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 600_000, token: TOKEN }),
    startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, failRate: 1, token: TOKEN }),
  ]);
});
afterAll(async () => Promise.all([fast, queued, running, failing].map((e) => e.close())));

async function submit(emulator: Emulator, until?: string): Promise<string> {
  const res = await fetch(`${emulator.baseUrl}/models/${MODEL}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "a teapot" }),
  });
  const { request_id } = (await res.json()) as { request_id: string };
  if (until)
    await vi.waitFor(() => expect(emulator.job(request_id)?.status).toBe(until), { timeout: 10_000, interval: 20 });
  return request_id;
}

const cli = (emulator: Emulator, ...argv: string[]) =>
  captureCli([...argv, "--base-url", emulator.baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });

describe("status / result / cancel <request-id>", () => {
  it("status prints the status and queue position; --json the answer", async () => {
    const id = await submit(queued);
    expect(await cli(queued, "status", id)).toEqual({ code: 0, stdout: "in_queue (queue position 1)\n", stderr: "" });
    expect(JSON.parse((await cli(queued, "status", id, "--json")).stdout)).toEqual({
      requestId: id,
      status: "in_queue",
      queuePosition: 1,
    });
  });

  it("result of a finished job prints its output URLs (exit 0); of a queued one says so and exits 4", async () => {
    const done = await submit(fast, "completed");
    const r = await cli(fast, "result", done);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`video\t${fast.baseUrl.replace(/\/v1$/, "")}/media/${done}/video.mp4\n`);
    expect(JSON.parse((await cli(fast, "result", done, "--json")).stdout)).toMatchObject({
      requestId: done,
      status: "completed",
      output: { video: `${fast.baseUrl.replace(/\/v1$/, "")}/media/${done}/video.mp4` },
    });
    const waiting = await submit(queued);
    const pending = await cli(queued, "result", waiting);
    expect(pending.code).toBe(EXIT.pending);
    expect(pending.stderr).toContain(`runcomfy-codegen status ${waiting}`);
  });

  it("result of a failed job exits 1 with the service's reason (text and --json)", async () => {
    const id = await submit(failing, "failed");
    const r = await cli(failing, "result", id);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toBe(`the job ended failed: the emulated job failed; it has no output [request ${id}]\n`);
    const json = await cli(failing, "result", id, "--json");
    expect(json.code).toBe(EXIT.failed);
    expect(JSON.parse(json.stdout)).toMatchObject({
      requestId: id,
      status: "failed",
      error: "the emulated job failed",
    });
  });

  it("cancel of a queued job cancels it (exit 0); of a running job says why not (exit 1)", async () => {
    const id = await submit(queued);
    expect(await cli(queued, "cancel", id)).toEqual({ code: 0, stdout: `cancelled ${id}\n`, stderr: "" });
    expect(queued.job(id)?.status).toBe("cancelled");
    expect((await cli(queued, "result", id)).code).toBe(EXIT.failed);
    const busy = await submit(running, "in_progress");
    const refused = await cli(running, "cancel", busy, "--json");
    expect(refused.code).toBe(EXIT.failed);
    expect(JSON.parse(refused.stdout)).toMatchObject({ requestId: busy, cancelled: false });
    expect(running.job(busy)?.status).toBe("in_progress");
  });

  it("an unknown request id is a service answer (exit 3), as a JSON error object with --json", async () => {
    const r = await cli(fast, "status", "no-such-request", "--json");
    expect(r.code).toBe(EXIT.service);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        type: "NotFoundError",
        message: expect.stringContaining("request no-such-request not found (error_code 404001)"),
        requestId: "no-such-request",
        status: 404,
        errorCode: 404001,
        exitCode: EXIT.service,
      },
    });
    const noToken = await captureCli(["cancel", "x", "--base-url", fast.baseUrl], { env: {} });
    expect([noToken.code, noToken.stderr]).toEqual([
      EXIT.usage,
      "set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) to your RunComfy API token, or log in with the official CLI (`runcomfy login`)\n",
    ]);
  });
});

describe("result <request-id> --wait", () => {
  it("waits for a queued job as run does (its progress on stderr), then prints its output", async () => {
    const slow = await startEmulator({ schemasDir: SCHEMAS, queueMs: 800, runMs: 800, token: TOKEN });
    try {
      const id = await submit(slow);
      const r = await cli(slow, "result", id, "--wait");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`video\t${slow.origin}/media/${id}/video.mp4\n`);
      expect(r.stderr).toMatch(new RegExp(`^waiting for ${id}\nin_queue \\(queue position 1\\), [\\d.]+ s\n`));
      expect(r.stderr).toMatch(/in_progress, [\d.]+ s\ncompleted, [\d.]+ s\n/);
      expect(slow.stats()).toMatchObject({ submits: 1, requests: { cancel: 0 } });
    } finally {
      await slow.close();
    }
  });

  it("of a finished job prints it at once; of a failed one exits 1; --timeout exits 4 with the follow-up", async () => {
    const done = await submit(fast, "completed");
    const before = fast.stats().requests;
    const r = await cli(fast, "result", done, "--wait", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requestId: done, status: "completed" });
    // One request: the result endpoint answers with the output.
    expect(fast.stats().requests).toMatchObject({ status: before.status, result: before.result + 1 });
    const failed = await submit(failing, "failed");
    const f = await cli(failing, "result", failed, "--wait", "--json");
    expect(f.code).toBe(EXIT.failed);
    expect(JSON.parse(f.stdout).error).toMatchObject({ type: "JobFailedError", requestId: failed });
    const waiting = await submit(queued);
    const t = await cli(queued, "result", waiting, "--wait", "--timeout", "0.3", "--json");
    expect(t.code).toBe(EXIT.pending);
    expect(JSON.parse(t.stdout).error).toMatchObject({ type: "TimeoutError", requestId: waiting });
    expect(JSON.parse(t.stdout).error.hint).toContain(`runcomfy-codegen status ${waiting}`);
  });

  it("Ctrl-C stops waiting and leaves the job as it is (exit 130, no cancel sent)", async () => {
    const id = await submit(queued);
    const p = spawnCli(
      ["result", id, "--wait", "--base-url", queued.baseUrl],
      { RUNCOMFY_API_TOKEN: TOKEN },
      /in_queue/,
    );
    await p.seen;
    const cancels = queued.stats().requests.cancel;
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(130);
    expect(p.output()).toContain("interrupted: stopped waiting (the job is not cancelled)");
    expect(p.output()).toContain(`follow it with \`runcomfy-codegen status ${id}\``);
    expect(queued.job(id)?.status).toBe("in_queue");
    expect(queued.stats().requests.cancel).toBe(cancels);
  });
});
