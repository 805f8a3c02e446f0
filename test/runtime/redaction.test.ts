/**
 * Property test of the token choke point: a server on 127.0.0.1 echoes the API token — raw,
 * percent-encoded (upper or lower hex, every character or only the reserved ones), inside base64 at any
 * alignment (standard and URL-safe, itself percent-encoded), and placed across the points where
 * messages are cut — in every field of every answer on every route, in error and success answers,
 * JSON and plain text, and in a redirect's Location. Nothing captured (errors as string, message,
 * JSON, inspect and stack; onStatus updates; return values; CLI run/status/result/cancel stdout and
 * stderr in text and --json)
 * may contain any form of it. The search is independent of the redactor: it percent-decodes what was
 * captured and base64-decodes every base64-looking run at each of the four offsets.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type StatusUpdate } from "../../generated/index.js";
import { captureCli } from "../helpers.js";

const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const ROUTES = ["submit", "status", "result", "cancel"] as const;
type RouteName = (typeof ROUTES)[number];

const b64 = (s: string, lead = "") => Buffer.from(lead + s, "latin1").toString("base64");
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const encodeAll = (s: string) =>
  [...Buffer.from(s)].map((b) => "%" + b.toString(16).padStart(2, "0").toUpperCase()).join("");

/** The ways a server may echo the token. */
const ECHOES: Record<string, (token: string) => string> = {
  raw: (t) => t,
  uriComponent: (t) => encodeURIComponent(t),
  uriLowerHex: (t) => lowerHex(encodeURIComponent(t)),
  everyCharEncoded: (t) => encodeAll(t),
  bearerBase64: (t) => b64(`Bearer ${t}`),
  base64Lead1: (t) => b64(t, "x"),
  base64Lead2: (t) => b64(t, "xy"),
  base64UrlSafe: (t) => b64(t, "?").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  base64Encoded: (t) => encodeURIComponent(b64(`Authorization: Bearer ${t}`)),
};

interface Answer {
  status: number;
  /** json: every field echoes; errorIn200: a 2xx body with error_code; text: a non-JSON body with the token across the 300-character cut; longMessage: across the 500-character cut. */
  body: "json" | "errorIn200" | "text" | "longMessage";
  /** What the status field says: the echo itself, or a real status (so `run` goes on to other routes). */
  statusField: "echo" | "completed" | "failed" | "in_queue" | "in_progress";
}

function answerBody(answer: Answer, echo: string, token: string): { text: string; type: string } {
  const e = echo;
  // Only error answers are read as text (a 2xx that is not JSON is a malformed answer, retried with backoff).
  if (answer.body === "text" && answer.status >= 300) {
    const at = 300 - Math.ceil(token.length / 2);
    return { text: "<html>" + "x".repeat(at - 6) + token + " " + e + "</html>", type: "text/html" };
  }
  const message =
    answer.body === "longMessage" ? "m".repeat(500 - Math.ceil(token.length / 2)) + token : `failed for ${e}`;
  const status = answer.statusField === "echo" ? `st_${e}` : answer.statusField;
  const body: Record<string, unknown> = {
    request_id: `req_${e}`,
    status,
    outcome: e,
    queue_position: 2,
    status_url: `http://127.0.0.1:1/${e}/status`,
    result_url: `http://127.0.0.1:1/${e}/result`,
    cancel_url: `http://127.0.0.1:1/${e}/cancel`,
    output: { video: `https://cdn.example/${e}.mp4`, [e]: [e, { [`k_${e}`]: e }] },
    created_at: e,
    finished_at: e,
    cost: 0.25,
    error_message: message,
    message,
    error: e,
    detail:
      answer.status === 422 || answer.status === 400
        ? [{ loc: ["body", e], msg: e, type: e }]
        : { [e]: [e, { nested: e }] },
    [`extra_${e}`]: e,
  };
  if (answer.body === "errorIn200" || answer.status >= 300) body.error_code = `E_${e}`;
  return { text: JSON.stringify(body), type: "application/json" };
}

/** The hostile server: answers each route as the current plan says. */
let server: Server;
let base = "";
let plan: { token: string; echo: string; answers: Record<RouteName, Answer> };
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const route: RouteName =
      req.method === "POST" && path.startsWith("/v1/models/") ? "submit" : (path.split("/").pop() as RouteName);
    const answer = plan.answers[route] ?? plan.answers.status;
    req.resume();
    req.on("end", () => {
      const { text, type } = answerBody(answer, plan.echo, plan.token);
      const headers: Record<string, string> = { "content-type": type, "retry-after": "0", "x-debug": plan.echo };
      if (answer.status >= 300 && answer.status < 400)
        headers.location = `http://127.0.0.1:1/v1/${plan.echo}?token=${plan.echo}`;
      res.writeHead(answer.status, headers).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** Every form of the token found in `text`, searched without the redactor's help. */
function leaks(text: string, token: string): string[] {
  const found: string[] = [];
  const decoded = text.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  for (const [name, t] of [
    ["text", text],
    ["percent-decoded", decoded],
  ] as const) {
    if (t.includes(token)) found.push(`${name}: the token`);
    if (t.includes(token.slice(0, 12))) found.push(`${name}: the token's first 12 characters`);
    for (const run of t.match(/[A-Za-z0-9+/_-]{12,}/g) ?? []) {
      for (let offset = 0; offset < 4; offset++) {
        if (
          Buffer.from(run.slice(offset).replace(/-/g, "+").replace(/_/g, "/"), "base64")
            .toString("latin1")
            .includes(token)
        )
          found.push(`${name}: base64 of the token in ${run}`);
      }
    }
  }
  return found;
}

const capture = (value: unknown): string =>
  value instanceof Error
    ? [
        String(value),
        value.message,
        JSON.stringify(value),
        inspect(value, { depth: 10, showHidden: true }),
        value.stack ?? "",
      ].join("\n")
    : [JSON.stringify(value), inspect(value, { depth: 10 })].join("\n");

async function settle(p: Promise<unknown>): Promise<string> {
  try {
    return capture(await p);
  } catch (e) {
    return capture(e);
  }
}

const answerArb: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 202, 307, 400, 401, 402, 404, 409, 413, 422, 429, 500, 503),
  body: fc.constantFrom("json", "errorIn200", "text", "longMessage"),
  statusField: fc.constantFrom("echo", "completed", "failed", "in_queue", "in_progress"),
}) as fc.Arbitrary<Answer>;

describe("the token never leaves the client", () => {
  it("whatever the server echoes, in any encoding, on any route", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9+/=._~-]{24,40}$/),
        fc.constantFrom(...Object.keys(ECHOES)),
        fc.record({ submit: answerArb, status: answerArb, result: answerArb, cancel: answerArb }),
        fc.boolean(),
        async (tokenTail, echoName, answers, cliJson) => {
          const token = `rc/${tokenTail}`;
          plan = { token, echo: ECHOES[echoName](token), answers };
          const client = createClient({
            token,
            baseUrl: base,
            validate: false,
            retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
            requestTimeoutMs: 2000,
          });
          const captured: string[] = [];
          const updates: StatusUpdate[] = [];
          captured.push(await settle(client.submit(T2V, { prompt: "x" })));
          captured.push(await settle(client.status("req_1")));
          captured.push(await settle(client.result("req_1")));
          captured.push(await settle(client.cancel("req_1")));
          captured.push(
            await settle(
              client.run(
                T2V,
                { prompt: "x" },
                {
                  timeoutMs: 150,
                  pollIntervalMs: 5,
                  maxPollIntervalMs: 10,
                  onStatus: (u) => updates.push(u),
                  onSubmitted: (j) => captured.push(capture(j)),
                },
              ),
            ),
          );
          captured.push(capture(updates));
          for (const argv of [
            ["run", T2V, "-", "--timeout", "0.15", "--no-validate"],
            ["status", "req_1"],
            ["result", "req_1"],
            ["cancel", "req_1"],
          ]) {
            const cli = await captureCli([...argv, "--base-url", base, ...(cliJson ? ["--json"] : [])], {
              env: { RUNCOMFY_API_TOKEN: token },
              stdin: '{"prompt":"x"}',
            });
            captured.push(cli.stdout, cli.stderr);
          }
          const found = captured.flatMap((c) => leaks(c, token));
          expect(found, `${echoName} ${JSON.stringify(answers)}`).toEqual([]);
        },
      ),
      {
        numRuns: Number(process.env.FC_RUNS ?? 30),
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
      },
    );
  }, 600_000);

  it("the checker finds each echo form when nothing redacts it", () => {
    const token = "rc/abc+def=ghi_jkl.mno~pqr-stu";
    for (const [name, echo] of Object.entries(ECHOES)) expect(leaks(`…${echo(token)}…`, token), name).not.toEqual([]);
  });
});

describe("the redactor", () => {
  it("leaves text without the token alone and keeps odd keys as data", async () => {
    const { createRedactor } = await import("../../generator/runtime/api-http/redact.js");
    const r = createRedactor("rc/secret+token=1234567890");
    expect(r.text("job failed: out of memory (50%25 used) aGVsbG8=")).toBe(
      "job failed: out of memory (50%25 used) aGVsbG8=",
    );
    const v = r.value(JSON.parse('{"__proto__": {"polluted": "rc/secret+token=1234567890"}, "a": [1, null, true]}'));
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v).toEqual(JSON.parse('{"__proto__": {"polluted": "[redacted]"}, "a": [1, null, true]}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
