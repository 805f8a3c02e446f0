/**
 * The server-side proxy handler through a real HTTP server on 127.0.0.1 (a Node adapter around the
 * `(Request) => Promise<Response>` handler), in front of the emulator; the client points at it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { createClient, createProxyHandler, type ProxyOptions } from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";

const TOKEN = "rc-proxy-secret-token-5150";
let emulator: Emulator;
const servers: Server[] = [];

/** Serves a fetch-style handler over node:http, as a Node app or a framework adapter would. */
async function serve(handler: (r: Request) => Promise<Response>): Promise<string> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
