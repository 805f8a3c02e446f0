/**
 * The server-side proxy handler through a real HTTP server on 127.0.0.1 (a Node adapter around the
 * `(Request) => Promise<Response>` handler), in front of the emulator; the client points at it.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { createClient, createProxyHandler, type ProxyOptions } from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";

const TOKEN = "rc-proxy-secret-token-5150";
let emulator: Emulator;
const servers: Server[] = [];

/** Bytes the handler pulled from each request body, by URL (the adapter counts what it hands over). */
const pulledBytes = new Map<string, number>();

/**
 * Serves a fetch-style handler over node:http, as a Node framework adapter does: the body streams to
 * the handler as it arrives (pulled on demand), and a rejected handler promise is not caught (a bare
 * adapter's process would see an unhandled rejection).
 */
async function serve(handler: (r: Request) => Promise<Response>): Promise<string> {
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const source = (Readable.toWeb(req) as ReadableStream<Uint8Array>).getReader();
    let cancelled = false;
    pulledBytes.set(req.url!, 0);
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const part = await source.read();
          if (part.done) return controller.close();
          pulledBytes.set(req.url!, pulledBytes.get(req.url!)! + part.value.byteLength);
          controller.enqueue(part.value);
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? body : undefined,
      duplex: "half",
    } as RequestInit);
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    // A body the handler stopped reading is not drained: the connection goes once the answer is out.
    res.end(Buffer.from(await response.arrayBuffer()), () => cancelled && req.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A JSON answer's fields the tests read. */
type AnswerBody = { error_code?: string | number; error_message?: string };

/** A raw request (the path exactly as written, no URL normalising), answered status and JSON body. */
function rawRequest(
  origin: string,
  method: string,
  path: string,
  body = "",
): Promise<{ status: number; body: AnswerBody }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, path }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

let proxyOrigin: string;
const seenByUpstream: { url: string; authorization: string | null; cookie: string | null }[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token: TOKEN });
  const options: ProxyOptions = {
    token: TOKEN,
    targetUrl: emulator.baseUrl,
    allowModel: (id) => id !== "bytedance/dreamina-3-0/pro/image-to-video",
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      seenByUpstream.push({
        url: String(input),
        authorization: headers.get("authorization"),
        cookie: headers.get("cookie"),
      });
      return fetch(input, init);
    },
  };
  proxyOrigin = await serve(createProxyHandler(options));
});
afterAll(async () => {
  await emulator.close();
  for (const s of servers) await new Promise((r) => s.close(r));
});

describe("the proxy handler", () => {
  it("a client pointed at it with proxyUrl runs a job end to end without holding the token", async () => {
    const client = createClient({ proxyUrl: `${proxyOrigin}/api/runcomfy`, validate: false });
    const output = await client.run(
      "bytedance/dreamina-3-0/pro/text-to-video",
      { prompt: "a teapot" },
      { pollIntervalMs: 20 },
    );
    const teapot = emulator.jobs().find((j) => (j.input as { prompt?: string }).prompt === "a teapot")!;
    expect(output.video).toBe(`${emulator.baseUrl.replace(/\/v1$/, "")}/media/${teapot.requestId}/video.mp4`);
    expect(client.baseUrl).toBe(`${proxyOrigin}/api/runcomfy`);
    // subscribe: the request id with the output ({ data, requestId }, fal's shape); run is unchanged.
    const { data, requestId } = await client.subscribe(
      "bytedance/dreamina-3-0/pro/text-to-video",
      { prompt: "a cup" },
      { pollIntervalMs: 20 },
    );
    expect(emulator.job(requestId)).toMatchObject({ status: "completed", input: { prompt: "a cup" } });
    expect(data.video).toBe(`${emulator.baseUrl.replace(/\/v1$/, "")}/media/${requestId}/video.mp4`);
    // The proxy added the token on every forwarded request, each to a Model API route.
    expect(seenByUpstream.length).toBeGreaterThan(1);
    for (const s of seenByUpstream) {
      expect(s.authorization).toBe(`Bearer ${TOKEN}`);
      expect(
        s.url.startsWith(`${emulator.baseUrl}/models/`) || /\/requests\/[^/]+\/(status|result|cancel)$/.test(s.url),
      ).toBe(true);
    }
  });

  it("forwards only the job routes; drops the browser's credentials; refuses disallowed models", async () => {
    const refused = await Promise.all([
      fetch(`${proxyOrigin}/api/runcomfy/models`),
      fetch(`${proxyOrigin}/api/runcomfy/models/bytedance/dreamina-4-0/edit`),
      fetch(`${proxyOrigin}/api/runcomfy/requests/x/status`, { method: "POST" }),
      fetch(`${proxyOrigin}/admin/users`, { method: "POST" }),
      fetch(`${proxyOrigin}/api/runcomfy/requests/x/../../models/a/b`),
    ]);
    for (const r of refused) {
      expect(r.status).toBe(404);
      expect((await r.json()).error_code).toBe("proxy_route_not_allowed");
    }
    const before = seenByUpstream.length;
    const blocked = await fetch(`${proxyOrigin}/api/runcomfy/models/bytedance/dreamina-3-0/pro/image-to-video`, {
      method: "POST",
      body: "{}",
    });
    expect([blocked.status, (await blocked.json()).error_code]).toEqual([403, "proxy_model_not_allowed"]);
    expect(seenByUpstream.length).toBe(before);
    const withCookie = await fetch(`${proxyOrigin}/api/runcomfy/requests/nope/status`, {
      headers: { cookie: "session=abc", authorization: "Bearer browser-guess" },
    });
    expect(withCookie.status).toBe(404);
    expect(seenByUpstream.at(-1)).toMatchObject({ authorization: `Bearer ${TOKEN}`, cookie: null });
    expect(await withCookie.text()).not.toContain(TOKEN);
  });

  it("bounds the body, and answers 502 (not a crash) when RunComfy is unreachable", async () => {
    const small = await serve(createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl, maxBodyBytes: 100 }));
    const big = await fetch(`${small}/models/bytedance/dreamina-4-0/edit`, {
      method: "POST",
      body: JSON.stringify({ prompt: "x".repeat(500) }),
    });
    expect([big.status, (await big.json()).error_code]).toEqual([413, "proxy_body_too_large"]);
    const dead = await serve(createProxyHandler({ token: TOKEN, targetUrl: "http://127.0.0.1:1/v1" }));
    const r = await fetch(`${dead}/requests/abc/status`);
    expect([r.status, (await r.json()).error_code]).toEqual([502, "proxy_upstream_unreachable"]);
    const unconfigured = await serve(createProxyHandler({ token: "", targetUrl: emulator.baseUrl }));
    expect((await fetch(`${unconfigured}/requests/abc/status`)).status).toBe(500);
  });
});

describe("the proxy handler facing the internet", () => {
  it("reads a chunked body with a running count: 413 at the limit while the upload goes on, the rest unread", async () => {
    const limit = 1024 * 1024;
    const origin = await serve(createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl, maxBodyBytes: limit }));
    const path = "/models/bytedance/dreamina-4-0/edit?chunked";
    const answer = await new Promise<{ status: number; body: AnswerBody }>((resolve, reject) => {
      const req = httpRequest(`${origin}${path}`, { method: "POST", headers: { "transfer-encoding": "chunked" } });
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode!, body: JSON.parse(text) });
          req.destroy();
        });
      });
      req.on("error", (e) => (answered ? undefined : reject(e)));
      // Far more than the limit, sent as the socket takes it; the answer stops it.
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let sent = 0;
      const write = () => {
        while (!answered && sent < 64 * limit) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", write);
        }
        if (!answered) req.end();
      };
      write();
    });
    expect([answer.status, answer.body.error_code]).toEqual([413, "proxy_body_too_large"]);
    // At most one network read past the limit was taken from the stream.
    expect(pulledBytes.get(path)).toBeLessThanOrEqual(limit + 64 * 1024);
  });

  it("answers 400 to a Content-Length that is not a number of bytes (runtimes that pass it through)", async () => {
    // Node's own parser refuses such a header before a handler runs; Deno, Bun and Workers hand it on.
    const handler = createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl });
    for (const length of ["12abc", "1e3", "-1", "0x10"]) {
      const r = await handler(
        new Request("http://app.test/models/bytedance/dreamina-4-0/edit", {
          method: "POST",
          headers: { "content-length": length },
          body: "{}",
        }),
      );
      expect([r.status, (await r.json()).error_code]).toEqual([400, "proxy_bad_request"]);
    }
  });

  it("forwards the model path built from the checked id; refuses encoded slashes, dot segments and non-ids", async () => {
    const forwarded: string[] = [];
    const allowed: string[] = [];
    const origin = await serve(
      createProxyHandler({
        token: TOKEN,
        targetUrl: emulator.baseUrl,
        allowModel: (id) => (allowed.push(id), id.startsWith("bytedance/")),
        fetch: (input, init) => (forwarded.push(String(input)), fetch(input, init)),
      }),
    );
    for (const path of [
      "/models/bytedance%2F..%2F..%2Fevil%2Fexpensive",
      "/models/bytedance/%2e%2e%2fevil",
      "/models/bytedance/a%5Cb",
      "/models/bytedance/a%20b",
      "/models/bytedance/%",
      "/models/bytedance/%E0%A4%A",
      "/requests/abc%2F..%2F..%2Fmodels%2Fx%2Fy/cancel",
    ]) {
      const r = await rawRequest(origin, "POST", path, "{}");
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.body.error_code).toMatch(/^proxy_bad_(request|model_id)$/);
    }
    expect(forwarded).toEqual([]);
    // An encoded letter is decoded, checked by allowModel and sent as the id it spells.
    const ok = await rawRequest(
      origin,
      "POST",
      "/models/bytedance/dreamin%61-4-0/edit",
      JSON.stringify({ prompt: "p" }),
    );
    expect(allowed.at(-1)).toBe("bytedance/dreamina-4-0/edit");
    expect(forwarded).toEqual([`${emulator.baseUrl}/models/bytedance/dreamina-4-0/edit`]);
    expect(ok.status).not.toBe(404);
  });

  it("never rejects: a malformed path through a bare Node adapter gets a 400, a throwing hook a 500", async () => {
    const origin = await serve(createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl }));
    const r = await rawRequest(origin, "POST", "/models/%", "{}");
    expect([r.status, r.body.error_code]).toEqual([400, "proxy_bad_request"]);
    const errors: unknown[] = [];
    const throwing = await serve(
      createProxyHandler({
        token: TOKEN,
        targetUrl: emulator.baseUrl,
        authorize: () => {
          throw new Error("database password hunter2 in this message");
        },
        onError: (e) => errors.push(e),
      }),
    );
    const t = await fetch(`${throwing}/requests/abc/status`);
    const body = await t.json();
    expect([t.status, body.error_code]).toEqual([500, "proxy_internal_error"]);
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expect((errors[0] as Error).message).toContain("hunter2");
  });
});

describe("who may use the proxy", () => {
  it("authorize denies with false (403) or its own Response, before anything is read or forwarded", async () => {
    const forwarded: string[] = [];
    const routes: unknown[] = [];
    const origin = await serve(
      createProxyHandler({
        token: TOKEN,
        targetUrl: emulator.baseUrl,
        fetch: (input, init) => (forwarded.push(String(input)), fetch(input, init)),
        authorize: (request, route) => {
          routes.push(route);
          const key = request.headers.get("x-app-key");
          if (key === null) return new Response("sign in first", { status: 401 });
          return key === "good";
        },
      }),
    );
    const anonymous = await fetch(`${origin}/api/models/bytedance/dreamina-4-0/edit`, { method: "POST", body: "{}" });
    expect([anonymous.status, await anonymous.text()]).toEqual([401, "sign in first"]);
    const wrong = await fetch(`${origin}/api/requests/abc/result`, { headers: { "x-app-key": "bad" } });
    expect([wrong.status, (await wrong.json()).error_code]).toEqual([403, "proxy_not_authorized"]);
    expect(forwarded).toEqual([]);
    expect(routes).toEqual([
      { kind: "submit", path: "/models/bytedance/dreamina-4-0/edit", modelId: "bytedance/dreamina-4-0/edit" },
      { kind: "result", path: "/requests/abc/result", requestId: "abc" },
    ]);
    const good = await fetch(`${origin}/api/requests/abc/status`, { headers: { "x-app-key": "good" } });
    expect(good.status).toBe(404); // forwarded: the emulator knows no job "abc"
    expect(forwarded).toEqual([`${emulator.baseUrl}/requests/abc/status`]);
  });

  it("the README's session example: each user sees and cancels only the jobs they submitted", async () => {
    // As in the README: the session is a cookie; jobs are tied to it when submitted.
    const jobsBySession = new Map<string, Set<string>>([
      ["alice", new Set()],
      ["bob", new Set()],
    ]);
    const sessionOf = (request: Request) => /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
    const origin = await serve(
      createProxyHandler({
        token: TOKEN,
        targetUrl: emulator.baseUrl,
        authorize: (request, route) => {
          const jobs = jobsBySession.get(sessionOf(request) ?? "");
          if (!jobs) return new Response(JSON.stringify({ error: "sign in" }), { status: 401 });
          return route.requestId === undefined || jobs.has(route.requestId);
        },
        onSubmitted: (requestId, request) => void jobsBySession.get(sessionOf(request)!)!.add(requestId),
      }),
    );
    const as = (who: string) => ({ headers: { cookie: `session=${who}`, "content-type": "application/json" } });
    const submitted = await fetch(`${origin}/api/runcomfy/models/bytedance/dreamina-3-0/pro/text-to-video`, {
      method: "POST",
      body: JSON.stringify({ prompt: "alice's teapot" }),
      ...as("alice"),
    });
    const { request_id } = await submitted.json();
    expect([...jobsBySession.get("alice")!]).toEqual([request_id]);
    expect((await fetch(`${origin}/api/runcomfy/requests/${request_id}/status`, as("alice"))).status).toBe(200);
    const peek = await fetch(`${origin}/api/runcomfy/requests/${request_id}/result`, as("bob"));
    expect([peek.status, (await peek.json()).error_code]).toEqual([403, "proxy_not_authorized"]);
    const cancel = await fetch(`${origin}/api/runcomfy/requests/${request_id}/cancel`, {
      method: "POST",
      ...as("bob"),
    });
    expect(cancel.status).toBe(403);
    expect((await fetch(`${origin}/api/runcomfy/requests/${request_id}/status`)).status).toBe(401);
    expect(emulator.job(request_id)?.status).not.toBe("cancelled");
  });

  it("refuses what a browser marks cross-site (a text/plain form POST from another page) unless allowed", async () => {
    const crossSite = {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", "content-type": "text/plain" },
      body: "{}",
    };
    const strict = await serve(createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl }));
    const r = await fetch(`${strict}/models/bytedance/dreamina-4-0/edit`, crossSite);
    expect([r.status, (await r.json()).error_code]).toEqual([403, "proxy_cross_site"]);
    const open = await serve(createProxyHandler({ token: TOKEN, targetUrl: emulator.baseUrl, allowCrossSite: true }));
    expect((await fetch(`${open}/requests/abc/cancel`, crossSite)).status).toBe(404);
  });
});

describe("RunComfy's answers as the proxy passes them on", () => {
  let upstream: string;
  beforeAll(async () => {
    const hostile = createServer((req, res) => {
      if (req.url === "/v1/requests/html/status") {
        res.writeHead(200, { "content-type": "text/html" });
        return void res.end(`<script>alert(document.cookie)</script> ${TOKEN}`);
      }
      if (req.url === "/v1/requests/endless/status") {
        // Far past any cap (finite, so code that reads it whole ends rather than exhausting memory).
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = 512;
        const write = () => {
          while (left-- > 0) if (!res.write(chunk)) return void res.once("drain", write);
          res.end("{}");
        };
        res.on("close", () => (left = 0));
        return write();
      }
      if (req.url === "/v1/requests/empty/cancel") {
        res.writeHead(204);
        return void res.end();
      }
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("upstream down");
    });
    servers.push(hostile);
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    upstream = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/v1`;
  });

  const proxy = (options: ProxyOptions = {}) =>
    serve(createProxyHandler({ token: TOKEN, targetUrl: upstream, ...options }));

  it("sends JSON with nosniff, never RunComfy's content type: an HTML answer becomes a JSON error", async () => {
    const origin = await proxy();
    const r = await fetch(`${origin}/requests/html/status`);
    expect(r.status).toBe(502);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await r.json();
    expect(body.error_code).toBe("proxy_upstream_not_json");
    expect(body.error_message).toContain("text/html");
    expect(body.error_message).not.toContain(TOKEN);
    // An error status stays (the client retries a 503), its text now inside JSON.
    const down = await fetch(`${origin}/requests/other/status`);
    expect([down.status, down.headers.get("content-type"), (await down.json()).error_message]).toEqual([
      503,
      "application/json",
      expect.stringContaining("upstream down"),
    ]);
    // The proxy's own refusals carry it too.
    expect((await fetch(`${origin}/nowhere`)).headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("reads RunComfy's answer under the response cap: a longer one is a 502, the rest unread", async () => {
    const origin = await proxy({ maxResponseBytes: 1024 * 1024 });
    const r = await fetch(`${origin}/requests/endless/status`);
    expect([r.status, (await r.json()).error_code]).toEqual([502, "proxy_upstream_too_large"]);
  });

  it("passes an empty-body status (204) on without a body instead of failing", async () => {
    const origin = await proxy();
    const r = await fetch(`${origin}/requests/empty/cancel`, { method: "POST" });
    expect([r.status, await r.text(), r.headers.get("x-content-type-options")]).toEqual([204, "", "nosniff"]);
  });
});

describe("the proxy's own setup", () => {
  it("a password in targetUrl or a token under 8 characters answers 500 without quoting either", async () => {
    const withPassword = emulator.baseUrl.replace("http://", "http://alice:pa55word@");
    for (const options of [
      { token: TOKEN, targetUrl: withPassword },
      { token: "tiny-t", targetUrl: emulator.baseUrl },
    ]) {
      const origin = await serve(createProxyHandler(options));
      const r = await fetch(`${origin}/requests/abc/status`);
      const text = await r.text();
      expect([r.status, JSON.parse(text).error_code]).toEqual([500, "proxy_not_configured"]);
      expect(text).not.toMatch(/pa55word|alice|tiny-t/);
    }
  });
});
