/** Submit safety and Retry-After, against real servers on 127.0.0.1 (issue 12 §3). */
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { createClient, RunComfyError, ServerError } from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";

const TOKEN = "rc-retry-token-31e9";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));
afterEach(() => vi.useRealTimers());

/** A port nothing listens on. */
const refusedPort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** A server that answers every request with a redirect to `location`, counting requests. */
async function redirecting(status: number, location: string) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { location }).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(r)));
  return { hits, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

describe("redirects", () => {
  it("a submit answered by a redirect to a refused port reaches the server once and names the Location", async () => {
    const target = `http://127.0.0.1:${await refusedPort()}/v1/models/${T2V}`;
    for (const status of [301, 302, 303, 307, 308]) {
      const server = await redirecting(status, target);
      const client = createClient({
        token: TOKEN,
        baseUrl: server.baseUrl,
        validate: false,
        retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5 },
      });
      const err = await client.submit(T2V, { prompt: "x" }).catch((e) => e);
      expect(err, String(status)).toBeInstanceOf(RunComfyError);
      expect(err.status).toBe(status);
      expect(err.message).toContain(JSON.stringify(target));
      expect(server.hits, String(status)).toEqual([`POST /v1/models/${T2V}`]);
    }
  });

  it("GETs are not redirected either: one request, an error naming where it pointed", async () => {
    const server = await redirecting(302, "https://elsewhere.example/v1/requests/abc/status");
    const client = createClient({
      token: TOKEN,
      baseUrl: server.baseUrl,
      retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const err = await client.status("abc").catch((e) => e);
    expect(err.message).toContain("https://elsewhere.example/v1/requests/abc/status");
    expect(server.hits).toHaveLength(1);
  });
});

describe("Retry-After on 5xx", () => {
  let emulator: Emulator;
  afterEach(() => emulator?.close());

  /** Answers `first` with Retry-After: 3 once, then a status; records the (fake) clock at each request. */
  async function flaky(first: number) {
    const at: number[] = [];
    const server = createServer((req, res) => {
      at.push(Date.now());
      req.resume();
      if (at.length === 1)
        res.writeHead(first, { "content-type": "application/json", "retry-after": "3" }).end('{"message":"busy"}');
      else
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('{"request_id":"abc","status":"in_queue","queue_position":1}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(r)));
    return { at, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
  }

  for (const status of [503, 500, 502, 504]) {
    it(`a ${status} with Retry-After: 3 is retried 3 s later on the clock, not sooner`, async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
      const server = await flaky(status);
      const client = createClient({
        token: TOKEN,
        baseUrl: server.baseUrl,
        retry: { maxRetries: 2, baseDelayMs: 50, maxDelayMs: 10_000 },
      });
      const settled = client.status("abc");
      // Step the fake clock, letting real I/O run between steps, until the retry arrives.
      for (let step = 0; step < 100 && server.at.length < 2; step++) {
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
        await vi.advanceTimersByTimeAsync(100);
      }
      vi.useRealTimers();
      expect(await settled).toMatchObject({ status: "in_queue" });
      expect(server.at).toHaveLength(2);
      const waited = server.at[1] - server.at[0];
      expect(waited).toBeGreaterThanOrEqual(3000);
      expect(waited).toBeLessThan(3500);
    });
  }

  it("Retry-After is capped by maxDelayMs, and a 5xx on submit is still never retried", async () => {
    emulator = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN });
    emulator.setFaults([{ route: "submit", status: 503, retryAfterSeconds: 1 }]);
    const client = createClient({
      token: TOKEN,
      baseUrl: emulator.baseUrl,
      retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const err = await client.submit(T2V, { prompt: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryAfterMs).toBe(1000);
    expect(emulator.stats().requests.submit).toBe(1);
  });
});
