/**
 * The client half of issue 17 through real HTTP: against the emulator, and against a small server
 * answering as RunComfy's official clients expect the service to (statuses they treat as terminal,
 * and `error`, which they do not; cancel outcomes in a 2xx, error_message first, cost with
 * include_cost), plus credentials as the official CLI set them up (a temp config folder, never the
 * real one).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../generator/mock/emulator.js";
import {
  AbortedError,
  AuthenticationError,
  createClient,
  JobCancelledError,
  JobFailedError,
  ValidationError,
} from "../../generated/index.js";
import { SCHEMAS, captureCli, tempDir } from "../helpers.js";

const TOKEN = "rc-official-token-9d1";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const FAST = { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 };
const tmp = tempDir();
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  tmp.cleanup();
});

async function emulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const e = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs: 0, runMs: 30, ...options });
  closers.push(() => e.close());
  return e;
}

/** A server that answers each route with a fixed JSON body, recording requests. */
async function official(
  answers: Record<"submit" | "status" | "result" | "cancel", { status?: number; body: unknown }>,
) {
  const seen: { route: string; url: string; authorization?: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = req.url ?? "/";
    const route =
      req.method === "POST" && url.startsWith("/v1/models/")
        ? "submit"
        : (url.split("?")[0].split("/").pop() as "status");
    seen.push({ route, url, authorization: req.headers.authorization });
    req.resume();
    const a = answers[route];
    res.writeHead(a.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(r)));
  return { seen, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

const submitted = { body: { request_id: "req_1" } };

// The official CLI's terminal statuses, and `error`, which no official client reads as an end (the package reads it as failed).
describe("terminal statuses as the official CLI treats them, and error", () => {
  for (const [status, expected] of [
    ["succeeded", "output"],
    ["SUCCEEDED", "output"],
    ["failed", JobFailedError],
    ["error", JobFailedError],
    ["canceled", JobCancelledError],
    ["cancelled", JobCancelledError],
  ] as const) {
    it(`a job the service reports "${status}" ends run at once (never polled to its timeout)`, async () => {
      const server = await official({
        submit: submitted,
        status: { body: { request_id: "req_1", status } },
        result: {
          body: {
            request_id: "req_1",
            status,
            output: { video: "https://cdn.example/v.mp4" },
            error_message: "GPU fell over",
            cost: 0.3,
          },
        },
        cancel: { body: {} },
      });
      const client = createClient({ token: TOKEN, baseUrl: server.baseUrl, validate: false, retry: FAST });
      const outcome = await client.run(T2V, { prompt: "x" }, { timeoutMs: 30_000, pollIntervalMs: 5 }).catch((e) => e);
      if (expected === "output") expect(outcome).toEqual({ video: "https://cdn.example/v.mp4" });
      else {
        expect(outcome).toBeInstanceOf(expected);
        if (expected === JobFailedError) expect(outcome.message).toContain("GPU fell over");
      }
      // One status poll saw the end: no polling until the timeout.
      expect(server.seen.filter((s) => s.route === "status")).toHaveLength(1);
    });
  }

  it("result with includeCost asks for ?include_cost=true and types cost; run hands it to onResult", async () => {
    const server = await official({
      submit: submitted,
      status: { body: { status: "completed" } },
      result: {
        body: { request_id: "req_1", status: "completed", output: { video: "https://cdn.example/v.mp4" }, cost: 0.42 },
      },
      cancel: { body: {} },
    });
    const client = createClient({ token: TOKEN, baseUrl: server.baseUrl, validate: false, retry: FAST });
    const r = await client.result("req_1", { includeCost: true });
    expect(r).toMatchObject({ completed: true, cost: 0.42 });
    expect(server.seen.at(-1)?.url).toBe("/v1/requests/req_1/result?include_cost=true");
    let cost: number | undefined;
    await client.run(
      T2V,
      { prompt: "x" },
      { includeCost: true, onResult: (res) => (cost = res.cost), pollIntervalMs: 5 },
    );
    expect(cost).toBe(0.42);
    expect(server.seen.filter((s) => s.route === "result").every((s) => s.url.endsWith("?include_cost=true"))).toBe(
      true,
    );
  });

  it("cancel of a running job: 2xx outcome not_cancellable is { cancelled: false } with the outcome", async () => {
    const server = await official({
      submit: submitted,
      status: { body: {} },
      result: { body: {} },
      cancel: { body: { request_id: "req_1", status: "in_progress", outcome: "not_cancellable" } },
    });
    const client = createClient({ token: TOKEN, baseUrl: server.baseUrl, retry: FAST });
    expect(await client.cancel("req_1")).toMatchObject({
      requestId: "req_1",
      cancelled: false,
      status: "in_progress",
      outcome: "not_cancellable",
    });
  });

  it("error messages are read as error_message, then message, error, detail", async () => {
    for (const [body, expected] of [
      [{ error_code: 400001, error_message: "A", message: "B", error: "C", detail: "D" }, "A"],
      [{ error_code: 400001, message: "B", error: "C", detail: "D" }, "B"],
      [{ error_code: 400001, error: "C", detail: "D" }, "C"],
      [{ error_code: 400001, detail: "D" }, "D"],
    ] as const) {
      const server = await official({
        submit: { status: 400, body },
        status: { body: {} },
        result: { body: {} },
        cancel: { body: {} },
      });
      const err = await createClient({ token: TOKEN, baseUrl: server.baseUrl, validate: false, retry: FAST })
        .submit(T2V, { prompt: "x" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain(`(HTTP 400): ${expected} (error_code`);
    }
  });
});

describe("the emulator answers as the service does", () => {
  for (const end of ["completed", "succeeded", "failed", "error", "cancelled", "canceled"] as const) {
    it(`a job can end "${end}" (option and per-submit header), and run ends accordingly`, async () => {
      const e = await emulator({ endStatus: end });
      const client = createClient({ token: TOKEN, baseUrl: e.baseUrl, retry: FAST });
      const outcome = await client.run(T2V, { prompt: "x" }, { timeoutMs: 20_000, pollIntervalMs: 10 }).catch((x) => x);
      if (end === "completed" || end === "succeeded") expect(outcome.video).toMatch(/\/media\//);
      else expect(outcome).toBeInstanceOf(end === "failed" || end === "error" ? JobFailedError : JobCancelledError);
      expect(e.jobs().map((j) => j.status)).toEqual([end]);
      const res = await fetch(`${e.baseUrl}/models/${T2V}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "x-emulator-end-status": "error" },
        body: '{"prompt":"y"}',
      });
      expect(res.status).toBe(200);
    });
  }

  it("cancel of a running job answers 200 with outcome not_cancellable (not 409); include_cost brings cost", async () => {
    const e = await emulator({ runMs: 60_000, catalog: { [T2V]: { base_price_usd: 0.5, price_unit: "output" } } });
    const client = createClient({ token: TOKEN, baseUrl: e.baseUrl, retry: FAST });
    const job = await client.submit(T2V, { prompt: "x" });
    await expect.poll(() => e.job(job.requestId)?.status).toBe("in_progress");
    expect(await client.cancel(job)).toMatchObject({
      cancelled: false,
      status: "in_progress",
      outcome: "not_cancellable",
    });
    const raw = await fetch(`${e.baseUrl}/requests/${job.requestId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(raw.status).toBe(200);
    const quick = await emulator({ runMs: 0, catalog: { [T2V]: { base_price_usd: 0.5, price_unit: "output" } } });
    const done = await createClient({ token: TOKEN, baseUrl: quick.baseUrl, retry: FAST }).submit(T2V, { prompt: "x" });
    await expect.poll(() => quick.job(done.requestId)?.status).toBe("completed");
    const result = await createClient({ token: TOKEN, baseUrl: quick.baseUrl, retry: FAST }).result(done, {
      includeCost: true,
    });
    expect(result.cost).toBe(0.5);
  });

  it("the run CLI prints the cost, and --json carries it", async () => {
    const e = await emulator({ catalog: { [T2V]: { base_price_usd: 0.5, price_unit: "output" } } });
    const input = path.join(tmp.dir, "in.json");
    writeFileSync(input, '{"prompt":"x"}');
    const text = await captureCli(["run", T2V, input, "--base-url", e.baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain("cost: $0.5");
    const json = await captureCli(["run", T2V, input, "--base-url", e.baseUrl, "--json"], {
      env: { RUNCOMFY_API_TOKEN: TOKEN },
    });
    const printed = JSON.parse(json.stdout);
    const [, job] = e.jobs();
    expect(printed).toMatchObject({
      requestId: job.requestId,
      output: { video: `${e.origin}/media/${job.requestId}/video.mp4` },
      cost: 0.5,
    });
  });
});

describe("credentials as the official CLI set them up", () => {
  const saved = { ...process.env };
  const withEnv = async (env: Record<string, string | undefined>, f: () => Promise<void>) => {
    for (const k of [
      "RUNCOMFY_API_TOKEN",
      "RUNCOMFY_TOKEN",
      "RUNCOMFY_BASE_URL",
      "RUNCOMFY_MODEL_API_BASE",
      "RUNCOMFY_CONFIG_DIR",
      "XDG_CONFIG_HOME",
    ])
      delete process.env[k];
    Object.assign(process.env, env);
    try {
      await f();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  const tokenFile = (dir: string, content: string) => {
    mkdirSync(path.join(dir, "runcomfy"), { recursive: true });
    writeFileSync(path.join(dir, "runcomfy", "token.json"), content, { mode: 0o600 });
    return dir;
  };

  it("precedence: option, RUNCOMFY_API_TOKEN, RUNCOMFY_TOKEN, the token file; base URL also from RUNCOMFY_MODEL_API_BASE", async () => {
    const server = await official({
      submit: submitted,
      status: { body: { status: "in_queue" } },
      result: { body: {} },
      cancel: { body: {} },
    });
    const xdg = tokenFile(
      path.join(tmp.dir, "xdg"),
      JSON.stringify({ access_token: "from-file", refresh_token: null, expires_at: null, user_email: "a@b.c" }),
    );
    const sent = async () => {
      await createClient({ retry: FAST }).status("req_1");
      return server.seen.at(-1)?.authorization;
    };
    await withEnv({ XDG_CONFIG_HOME: xdg, RUNCOMFY_MODEL_API_BASE: server.baseUrl }, async () => {
      expect(createClient().baseUrl).toBe(server.baseUrl);
      expect(await sent()).toBe("Bearer from-file");
      process.env.RUNCOMFY_TOKEN = " from-cli-env ";
      expect(await sent()).toBe("Bearer from-cli-env");
      process.env.RUNCOMFY_API_TOKEN = "from-api-env";
      expect(await sent()).toBe("Bearer from-api-env");
      await createClient({ token: "from-option", retry: FAST }).status("req_1");
      expect(server.seen.at(-1)?.authorization).toBe("Bearer from-option");
      process.env.RUNCOMFY_BASE_URL = "http://127.0.0.1:9/v1";
      expect(createClient().baseUrl).toBe("http://127.0.0.1:9/v1");
    });
    // RUNCOMFY_CONFIG_DIR names the folder itself, as in the official CLI.
    await withEnv(
      { RUNCOMFY_CONFIG_DIR: path.join(xdg, "runcomfy"), RUNCOMFY_MODEL_API_BASE: server.baseUrl },
      async () => {
        expect(await sent()).toBe("Bearer from-file");
      },
    );
  });

  it("a broken token file is an AuthenticationError that names the file, never its contents", async () => {
    const xdg = tokenFile(path.join(tmp.dir, "broken"), '{"access_token": "sekret-value-123"');
    await withEnv({ XDG_CONFIG_HOME: xdg, RUNCOMFY_BASE_URL: "http://127.0.0.1:9/v1" }, async () => {
      const err = await createClient({ retry: FAST })
        .status("req_1")
        .catch((e) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.message).toContain(path.join(xdg, "runcomfy", "token.json"));
      expect(`${err.message}${err.stack}`).not.toContain("sekret");
    });
  });

  it("the CLI reads RUNCOMFY_TOKEN and the token file from its environment", async () => {
    const server = await official({
      submit: submitted,
      status: { body: { request_id: "req_1", status: "in_queue", queue_position: 2 } },
      result: { body: {} },
      cancel: { body: {} },
    });
    const xdg = tokenFile(path.join(tmp.dir, "cli"), JSON.stringify({ access_token: "cli-file-token" }));
    const viaFile = await captureCli(["status", "req_1", "--base-url", server.baseUrl], {
      env: { XDG_CONFIG_HOME: xdg },
    });
    expect(viaFile.stdout).toBe("in_queue (queue position 2)\n");
    expect(server.seen.at(-1)?.authorization).toBe("Bearer cli-file-token");
    await captureCli(["status", "req_1", "--base-url", server.baseUrl], {
      env: { XDG_CONFIG_HOME: xdg, RUNCOMFY_TOKEN: "cli-env-token" },
    });
    expect(server.seen.at(-1)?.authorization).toBe("Bearer cli-env-token");
    const none = await captureCli(["status", "req_1", "--base-url", server.baseUrl], { env: {} });
    expect(none.stderr).toContain("RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN)");
  });
});

/** `official` with a default answer for each route not given (issue 25 §2 tests name only what they test). */
const answering = (answers: Partial<Parameters<typeof official>[0]>) =>
  official({ submit: submitted, status: { body: {} }, result: { body: {} }, cancel: { body: {} }, ...answers });
const clientOf = (baseUrl: string) => createClient({ token: TOKEN, baseUrl, validate: false, retry: FAST });

// Issue 25 §2: answers read as RunComfy's official clients read them — cancel answers that say
// nothing, the partner nodes' own cancel fixture, a failed job's reason at HTTP 200, the emulator's
// catalog names and help.
describe("cancel answers", () => {
  for (const body of [{}, { request_id: "req_1" }]) {
    it(`a 2xx ${JSON.stringify(body)} is an unknown outcome with the reason, not cancelled`, async () => {
      const { baseUrl } = await answering({ cancel: { body } });
      const r = await clientOf(baseUrl).cancel("req_1");
      expect(r).toMatchObject({ requestId: "req_1", cancelled: null, outcome: "unknown" });
      expect(r.cancelled).not.toBe(true);
      if (r.cancelled === null) expect(r.reason).toContain("did not say whether the job was cancelled");
      const cli = await captureCli(["cancel", "req_1", "--base-url", baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });
      expect(cli.code).toBe(1);
      expect(cli.stdout).toBe("");
      expect(cli.stderr).toContain("cancel outcome unknown: RunComfy accepted the cancel request but did not say");
      const json = await captureCli(["cancel", "req_1", "--base-url", baseUrl, "--json"], {
        env: { RUNCOMFY_API_TOKEN: TOKEN },
      });
      expect(JSON.parse(json.stdout)).toMatchObject({ cancelled: null, outcome: "unknown" });
    });
  }

  it('the partner nodes\' fixture, status "cancelled" with outcome "cancellation_requested", is cancelled', async () => {
    const { baseUrl } = await answering({
      cancel: { body: { request_id: "req_1", status: "cancelled", outcome: "cancellation_requested" } },
    });
    expect(await clientOf(baseUrl).cancel("req_1")).toEqual({
      requestId: "req_1",
      cancelled: true,
      status: "cancelled",
    });
  });

  it("an outcome no client reads beside a queued status decides nothing; it is named in the reason", async () => {
    const { baseUrl } = await answering({
      cancel: { body: { request_id: "req_1", status: "in_queue", outcome: "cancellation_requested" } },
    });
    const r = await clientOf(baseUrl).cancel("req_1");
    expect(r).toMatchObject({ cancelled: null, status: "in_queue", outcome: "unknown" });
    expect(r.cancelled === null && r.reason).toContain('outcome "cancellation_requested"');
  });

  it("outcome cancelled, and not_cancellable or an ended status, stay as they were", async () => {
    const { baseUrl: cancelled } = await answering({ cancel: { body: { outcome: "cancelled" } } });
    expect(await clientOf(cancelled).cancel("req_1")).toMatchObject({ cancelled: true });
    const { baseUrl: ended } = await answering({ cancel: { body: { request_id: "req_1", status: "completed" } } });
    expect(await clientOf(ended).cancel("req_1")).toMatchObject({ cancelled: false, status: "completed" });
  });
});

describe("an aborted run whose cancel answer says nothing", () => {
  it("AbortedError carries the unknown outcome, and the CLI's hint does not claim the job runs on", async () => {
    const { baseUrl } = await answering({
      submit: { body: { request_id: "req_1" } },
      status: { body: { request_id: "req_1", status: "in_queue", queue_position: 3 } },
      cancel: { body: { request_id: "req_1" } },
    });
    const controller = new AbortController();
    const err = await clientOf(baseUrl)
      .run(T2V, { prompt: "x" }, { signal: controller.signal, pollIntervalMs: 5, onStatus: () => controller.abort() })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.cancel).toMatchObject({ requestId: "req_1", cancelled: null, outcome: "unknown" });
    const { describeFailure } = await import("../../generator/commands/failure.js");
    expect(describeFailure(err).hint).toMatch(/^not known whether it was cancelled: it may keep running/);
  });
});

describe("a failed job's reason at HTTP 200", () => {
  const failed = {
    request_id: "req_1",
    status: "failed",
    error_code: "GPU_OOM",
    error_message: "the GPU ran out of memory at 1080p",
  };

  it("run rejects with JobFailedError carrying the service's message and error_code", async () => {
    const { baseUrl } = await answering({
      submit: { body: { request_id: "req_1" } },
      status: { body: { request_id: "req_1", status: "failed" } },
      result: { body: failed },
    });
    const err = await clientOf(baseUrl)
      .run(T2V, { prompt: "x" }, { pollIntervalMs: 5 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.message).toBe("job failed: the GPU ran out of memory at 1080p [request req_1]");
    expect(err.errorCode).toBe("GPU_OOM");
  });

  it("result is the job's answer (failed, with the raw reason), and the result CLI prints the reason", async () => {
    const { baseUrl } = await answering({ result: { body: failed } });
    expect(await clientOf(baseUrl).result("req_1")).toMatchObject({ completed: false, status: "failed", raw: failed });
    const cli = await captureCli(["result", "req_1", "--base-url", baseUrl], { env: { RUNCOMFY_API_TOKEN: TOKEN } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("the job ended failed: the GPU ran out of memory at 1080p");
  });

  it("a 2xx error_code without a failed job status is still an error of the request", async () => {
    const { baseUrl } = await answering({ result: { body: { error_code: 404001, error_message: "request expired" } } });
    const err = await clientOf(baseUrl)
      .result("req_1")
      .catch((e) => e);
    expect(err.name).toBe("NotFoundError");
    expect(err.message).toContain("request expired");
  });
});

describe("the emulator's catalog", () => {
  it("display names keep the dots of versions", async () => {
    const schemas = path.join(tmp.dir, "dotted");
    const id = "bytedance/seedance-2.5/pro/text-to-video";
    const source = JSON.parse(readFileSync(path.join(SCHEMAS, `${T2V}.json`), "utf8"));
    mkdirSync(path.join(schemas, "bytedance/seedance-2.5/pro"), { recursive: true });
    writeFileSync(path.join(schemas, `${id}.json`), JSON.stringify({ ...source, model_id: id }));
    const e = await startEmulator({ schemasDir: schemas, token: TOKEN });
    closers.push(() => e.close());
    const res = await fetch(`${e.baseUrl}/models/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await res.json()).display_name).toBe("Seedance 2.5 Pro Text To Video");
  });

  it("mock-server --help says the partner nodes' flow needs --catalog with prices", async () => {
    const help = await captureCli(["mock-server", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "partner nodes ask a model's price before they submit and refuse a model without one",
    );
    expect(help.stdout.replace(/\s+/g, " ")).toContain("need base_price_usd and price_unit here");
  });
});
