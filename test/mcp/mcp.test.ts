/**
 * `runcomfy-codegen mcp` through the official SDK's own client over stdio (the CLI in its own
 * process), against the emulator on 127.0.0.1: tools listed, an invalid call submits nothing (the
 * emulator's counters say so), a valid call runs with progress, a cancellation while queued cancels
 * the job, `wait: false`, the follow-up tools, and the dynamic mode.
 */
import path from "node:path";
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../generator/mock/emulator.js";
import { TOOL_NAME, toolNameOf } from "../../generator/mcp/tools.js";
import { ROOT, SCHEMAS } from "../helpers.js";

const TOKEN = "mcp-test-token-7f3a9c";
const CLI = path.join(ROOT, "dist", "generator", "cli.js");
const TEXT_MODEL = "bytedance/dreamina-3-0/pro/text-to-video";
const MODEL_COUNT = 4;

// biome-ignore lint/suspicious/noExplicitAny: tool results are arbitrary JSON, asserted field by field
type Json = any;

interface Connected {
  client: Client;
  stderr: () => string;
  /** Resolves with the first log message the server sends that `match` accepts. */
  logged: (match: (line: string) => boolean) => Promise<string>;
  close: () => Promise<void>;
}

async function connect(emulator: Emulator, extra: string[] = []): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "--package", path.join(ROOT, "generated"), "--base-url", emulator.baseUrl, ...extra],
    env: { RUNCOMFY_API_TOKEN: TOKEN, PATH: process.env.PATH ?? "" },
    stderr: "pipe",
    cwd: ROOT,
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "test", version: "1.0.0" });
  const logs: string[] = [];
  const waiting: [(line: string) => boolean, (line: string) => void][] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    const line = String(n.params.data);
    logs.push(line);
    for (const [match, resolve] of waiting) if (match(line)) resolve(line);
  });
  const logged = (match: (line: string) => boolean) =>
    new Promise<string>((resolve) => {
      const seen = logs.find(match);
      if (seen !== undefined) resolve(seen);
      else waiting.push([match, resolve]);
    });
  await client.connect(transport);
  return { client, stderr: () => stderr, logged, close: () => client.close() };
}

let quick: Emulator;
let slow: Emulator;
let running: Emulator;
let server: Connected;

beforeAll(async () => {
  [quick, slow, running] = await Promise.all([
    startEmulator({ schemasDir: SCHEMAS, queueMs: 50, runMs: 100, token: TOKEN }),
    // Jobs here stay queued far longer than any test: a cancellation always finds them queued.
    startEmulator({ schemasDir: SCHEMAS, queueMs: 600_000, runMs: 100, token: TOKEN }),
    // And here they run as long: a cancellation always finds them running.
    startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 600_000, token: TOKEN }),
  ]);
  server = await connect(quick);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await Promise.all([quick?.close(), slow?.close(), running?.close()]);
});

describe("mcp: a tool per model", () => {
  it("lists one tool per model (names valid, unique, from the id) and the follow-up tools", async () => {
    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.length).toBe(MODEL_COUNT + 4);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(TOOL_NAME);
    expect(names).toContain(toolNameOf(TEXT_MODEL));
    expect(names.slice(MODEL_COUNT)).toEqual([
      "runcomfy_status",
      "runcomfy_result",
      "runcomfy_cancel",
      "runcomfy_estimate_cost",
    ]);
    const edit = tools.find((t) => t.name === toolNameOf("bytedance/dreamina-4-0/edit")) as Json;
    expect(Object.keys(edit.inputSchema.properties)).toEqual([
      "image_urls",
      "prompt",
      "width×height",
      "scale",
      "force_single",
      "wait",
    ]);
    expect(edit.inputSchema.properties.image_urls.items.format).toBe("uri");
    expect(edit.inputSchema.required).toEqual(["image_urls", "prompt"]);
    expect(edit.description).toContain("Media rules");
    expect(edit.description).toContain("Each image file must be ≤ 15 MB.");
    expect(edit.outputSchema.required).toEqual(["status"]);
  });

  it("names are stable: a second server lists the same tools", async () => {
    const other = await connect(quick);
    try {
      expect((await other.client.listTools()).tools).toEqual((await server.client.listTools()).tools);
    } finally {
      await other.close();
    }
  });

  it("an invalid call returns every issue with its path and submits nothing", async () => {
    const before = quick.stats().submits;
    const r = (await server.client.callTool({
      name: toolNameOf(TEXT_MODEL),
      arguments: { frames: 99, aspect_ratio: "4k" },
    })) as Json;
    expect(r.isError).toBe(true);
    const paths = r.structuredContent.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(["/aspect_ratio", "/frames", "/prompt"]);
    expect(r.content[0].text).toContain("nothing was submitted");
    expect(quick.stats().submits).toBe(before);
  });

  it("a valid call submits once, sends progress, and returns the output, its URLs and cost", async () => {
    const before = quick.stats().submits;
    const progress: string[] = [];
    const r = (await server.client.callTool(
      { name: toolNameOf(TEXT_MODEL), arguments: { prompt: "a red kite over the sea" } },
      undefined,
      { onprogress: (p) => void progress.push(String(p.message)) },
    )) as Json;
    expect(r.isError).toBeFalsy();
    expect(quick.stats().submits).toBe(before + 1);
    const job = quick.jobs().at(-1)!;
    expect(r.structuredContent.requestId).toBe(job.requestId);
    expect(r.structuredContent.status).toBe("completed");
    expect(r.structuredContent.outputUrls.length).toBeGreaterThan(0);
    expect(r.content[0].text).toContain(r.structuredContent.outputUrls[0]);
    expect(progress[0]).toBe(`submitted: request ${job.requestId}`);
    expect(progress.some((p) => p.startsWith("in_queue") || p.startsWith("in_progress"))).toBe(true);
  });

  it("wait: false submits and returns the request id; the follow-up tools pick the job up", async () => {
    const r = (await server.client.callTool({
      name: toolNameOf(TEXT_MODEL),
      arguments: { prompt: "a lighthouse at dusk", wait: false },
    })) as Json;
    const requestId = r.structuredContent.requestId;
    expect(quick.job(requestId)?.input).toEqual({ prompt: "a lighthouse at dusk" });
    const status = (await server.client.callTool({
      name: "runcomfy_status",
      arguments: { request_id: requestId },
    })) as Json;
    expect(status.structuredContent.requestId).toBe(requestId);
    const bad = (await server.client.callTool({ name: "runcomfy_result", arguments: { request_id: "../x" } })) as Json;
    expect(bad.isError).toBe(true);
    const cost = (await server.client.callTool({
      name: "runcomfy_estimate_cost",
      arguments: { model_id: TEXT_MODEL, input: { prompt: "x" } },
    })) as Json;
    expect(cost.structuredContent.modelId).toBe(TEXT_MODEL);
  });

  it("a cancellation while queued cancels the job, and says so", async () => {
    const queued = await connect(slow);
    try {
      const controller = new AbortController();
      const call = queued.client
        .callTool({ name: toolNameOf(TEXT_MODEL), arguments: { prompt: "never runs" } }, undefined, {
          signal: controller.signal,
          onprogress: (p) => {
            if (String(p.message).startsWith("in_queue")) controller.abort();
          },
        })
        .catch((e: Error) => e);
      expect(await call).toBeInstanceOf(Error);
      const said = await queued.logged((l) => l.includes("cancelled while queued"));
      const job = slow.jobs().at(-1)!;
      expect(said).toBe(`request ${job.requestId} cancelled while queued: nothing billed`);
      expect(slow.job(job.requestId)?.status).toBe("cancelled");
    } finally {
      await queued.close();
    }
  });

  it("a cancellation once the job runs says it keeps running and is billed", async () => {
    const busy = await connect(running);
    try {
      const controller = new AbortController();
      const call = busy.client
        .callTool({ name: toolNameOf(TEXT_MODEL), arguments: { prompt: "runs on" } }, undefined, {
          signal: controller.signal,
          onprogress: (p) => {
            if (String(p.message).startsWith("in_progress")) controller.abort();
          },
        })
        .catch((e: Error) => e);
      expect(await call).toBeInstanceOf(Error);
      const said = await busy.logged((l) => l.includes("could not be cancelled"));
      const job = running.jobs().at(-1)!;
      expect(said).toContain(`request ${job.requestId} could not be cancelled`);
      expect(said).toContain("it keeps running and is billed");
      expect(running.job(job.requestId)?.status).toBe("in_progress");
    } finally {
      await busy.close();
    }
  });

  it("--models picks models; the token is never printed", async () => {
    const picked = await connect(quick, ["--models", "bytedance/dreamina-3-0/*"]);
    try {
      const names = (await picked.client.listTools()).tools.map((t) => t.name);
      expect(names.slice(0, 2)).toEqual([
        toolNameOf("bytedance/dreamina-3-0/pro/image-to-video"),
        toolNameOf("bytedance/dreamina-3-0/pro/text-to-video"),
      ]);
      expect(names.length).toBe(2 + 4);
    } finally {
      await picked.close();
    }
    expect(server.stderr()).not.toContain(TOKEN);
    expect(picked.stderr()).not.toContain(TOKEN);
  });
});

describe("mcp --http", () => {
  it("serves Streamable HTTP on 127.0.0.1", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "mcp", "--package", path.join(ROOT, "generated"), "--base-url", quick.baseUrl, "--http", "0"],
      { env: { RUNCOMFY_API_TOKEN: TOKEN, PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(err);
          if (m) resolve(m[0]);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const client = new Client({ name: "test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain(toolNameOf(TEXT_MODEL));
      const r = (await client.callTool({ name: toolNameOf(TEXT_MODEL), arguments: { prompt: "over http" } })) as Json;
      expect(r.structuredContent.status).toBe("completed");
      await client.close();
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("mcp --dynamic", () => {
  it("serves search, describe and run instead of a tool per model", async () => {
    const dynamic = await connect(quick, ["--dynamic"]);
    try {
      const names = (await dynamic.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual([
        "runcomfy_search_models",
        "runcomfy_describe_model",
        "runcomfy_run_model",
        "runcomfy_status",
        "runcomfy_result",
        "runcomfy_cancel",
        "runcomfy_estimate_cost",
      ]);
      const found = (await dynamic.client.callTool({
        name: "runcomfy_search_models",
        arguments: { query: "dreamina text-to-video" },
      })) as Json;
      expect(found.structuredContent.models.map((m: { model_id: string }) => m.model_id)).toEqual([TEXT_MODEL]);
      const described = (await dynamic.client.callTool({
        name: "runcomfy_describe_model",
        arguments: { model_id: TEXT_MODEL },
      })) as Json;
      expect(described.structuredContent.inputSchema.required).toContain("prompt");
      const before = quick.stats().submits;
      const invalid = (await dynamic.client.callTool({
        name: "runcomfy_run_model",
        arguments: { model_id: TEXT_MODEL, input: {} },
      })) as Json;
      expect(invalid.isError).toBe(true);
      expect(quick.stats().submits).toBe(before);
      const run = (await dynamic.client.callTool({
        name: "runcomfy_run_model",
        arguments: { model_id: TEXT_MODEL, input: { prompt: "a paper boat" } },
      })) as Json;
      expect(run.structuredContent.status).toBe("completed");
      expect(quick.stats().submits).toBe(before + 1);
      const unknown = (await dynamic.client.callTool({
        name: "runcomfy_describe_model",
        arguments: { model_id: "acme/none" },
      })) as Json;
      expect(unknown.isError).toBe(true);
    } finally {
      await dynamic.close();
    }
  });
});
