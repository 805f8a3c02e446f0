/**
 * What the CLI prints from outside data, through the CLI's process against a hostile server on
 * 127.0.0.1: every text a server controls (ids, keys, URLs, statuses, reasons, messages, `detail`,
 * catalog entries) carries terminal escape sequences. Nothing a terminal acts on may come out raw;
 * `--json` keeps the exact text (escaped, so still valid JSON).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";
import { runCliProcess } from "./cli-process.js";

/** OSC 52 clipboard write, screen clear, a carriage return over the line, C1 CSI, DEL, BEL. */
const OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07";
const HOSTILE = `${OSC52}\x1b[2J\rfake line\u009b31m\x7f\x08`;
/** Anything a terminal acts on, but tab and newline. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const tmp = tempDir("rcg-terminal-");
let server: Server;
let baseUrl: string;
let origin: string;

function answer(method: string, url: URL): { status: number; body: unknown } {
  const p = url.pathname;
  if (p === "/v1/models")
    return {
      status: 200,
      body: {
        models: [
          { model_id: `evil${HOSTILE}/id`, display_name: `Name${HOSTILE}`, categories: [`cat${HOSTILE}`] },
          { model_id: "acme/plain/model", display_name: `Plain${HOSTILE}`, base_price_usd: 1, price_unit: "run" },
        ],
        total: 2,
      },
    };
  const job = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/.exec(p);
  if (!job) return { status: 404, body: { message: `no route ${HOSTILE}` } };
  const [, id, kind] = job;
  if (id === "rejected")
    return { status: 422, body: { detail: [{ loc: ["body", `key${HOSTILE}`], msg: `bad${HOSTILE}` }] } };
  if (id === "refused") return { status: 404, body: { detail: `gone${HOSTILE}` } };
  if (kind === "status") return { status: 200, body: { status: `in_queue${HOSTILE}` } };
  if (kind === "cancel" && method === "POST")
    return { status: 200, body: { outcome: "not_cancellable", status: "in_progress", message: `no${HOSTILE}` } };
  if (id === "failed") return { status: 200, body: { status: "failed", error_message: `boom${HOSTILE}` } };
  return {
    status: 200,
    body: {
      status: "completed",
      output: { [`img${HOSTILE}`]: `${origin}/media/a${HOSTILE}.png` },
      cost: 0.5,
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const { status, body } = url.pathname.startsWith("/media/")
      ? { status: 404, body: { message: `missing${HOSTILE}` } }
      : answer(req.method ?? "GET", url);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  baseUrl = `${origin}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

const cli = (...argv: string[]) =>
  runCliProcess([...argv, "--base-url", baseUrl], { RUNCOMFY_API_TOKEN: "rc-terminal-token-42", NO_COLOR: "1" });

/** The escaped form every hostile text must show in: visible, nothing dropped. */
const SHOWN = "\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J\\u000dfake line\\u009b31m\\u007f\\u0008";

describe("the CLI's output carries no terminal control characters from outside data", () => {
  it.each([
    ["status", ["status", "abc"], "stdout"],
    ["result's keys and URLs", ["result", "abc"], "stdout"],
    ["result's failure reason", ["result", "failed"], "stderr"],
    ["cancel's reason", ["cancel", "abc"], "stderr"],
    ["server messages", ["status", "refused"], "stderr"],
    ["the server's validation detail", ["status", "rejected"], "stderr"],
    ["the download failure list", ["result", "abc", "--download", "DIR", "--allow-private-network"], "stderr"],
    ["models", ["models"], "stdout"],
    ["pull's skipped ids", ["pull", "--out", "DIR", "--dry-run"], "stderr"],
  ] as const)("%s", async (_what, argv, where) => {
    const r = await cli(...argv.map((a) => (a === "DIR" ? tmp.dir : a)));
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r[where]).toContain(SHOWN);
  });

  it("a models table keeps its columns: one row per entry, cells escaped before they are measured", async () => {
    const r = await cli("models");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2].indexOf("Plain")).toBe(lines[0].indexOf("NAME"));
  });

  it.each([
    ["status", ["status", "abc", "--json"], (j: Record<string, unknown>) => j.status, `in_queue${HOSTILE}`],
    ["cancel", ["cancel", "abc", "--json"], (j: Record<string, unknown>) => j.reason, `no${HOSTILE}`],
    [
      "result",
      ["result", "abc", "--json"],
      (j: Record<string, unknown>) => Object.keys(j.output as object)[0],
      `img${HOSTILE}`,
    ],
    [
      "models",
      ["models", "--json"],
      (j: Record<string, unknown>) => (j.models as { display_name: string }[])[0].display_name,
      `Name${HOSTILE}`,
    ],
    [
      "an error",
      ["status", "refused", "--json"],
      (j: Record<string, unknown>) => (j.error as { message: string }).message,
      `not found (HTTP 404): gone${HOSTILE} [request refused]`,
    ],
  ] as const)("--json of %s escapes C0, DEL and C1 and keeps the exact text", async (_what, argv, read, expected) => {
    const r = await cli(...argv);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(read(JSON.parse(r.stdout))).toBe(expected);
  });
});
