/**
 * The client reads at most `maxResponseBytes` of any answer: a server on 127.0.0.1 that sends an
 * endless body (as a success or as an error, declared or not) gets an error naming the limit, and its
 * connection is cut — the client neither hangs nor buffers without end.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createClient, RunComfyError } from "../../generated/index.js";

const TOKEN = "rc-limits-token-93b2d1";
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));

/** Writes `{"request_id":"job","pad":"xxxx…` forever (until the client goes away); counts bytes sent. */
function endless(res: ServerResponse, sent: { bytes: number; closed: boolean }) {
  const chunk = Buffer.alloc(64 * 1024, "x");
  res.write('{"request_id":"job","status":"in_queue","pad":"');
  const more = () => {
    while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
    if (!res.destroyed) res.once("drain", more);
  };
  res.on("close", () => (sent.closed = true));
  more();
}

async function server(status: number, headers: Record<string, string> = {}) {
  const sent = { bytes: 0, closed: false, requests: 0 };
  const s = createServer((req, res) => {
    sent.requests++;
    req.resume();
    res.writeHead(status, { "content-type": "application/json", ...headers });
    endless(res, sent);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(r);
      }),
  );
  return { sent, baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1` };
}

const LIMIT = 256 * 1024;

describe("answer size limit", () => {
  for (const status of [200, 500]) {
    it(`an endless ${status} answer to status is an error naming the limit; the connection is cut`, async () => {
      const { sent, baseUrl } = await server(status);
      const client = createClient({
        token: TOKEN,
        baseUrl,
        maxResponseBytes: LIMIT,
        requestTimeoutMs: 20_000,
        retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
      });
      const err = await client.status("job").catch((e) => e);
      expect(err).toBeInstanceOf(RunComfyError);
      expect(err.message).toBe(
        `the answer to GET /requests/job/status (HTTP ${status}) is larger than the client's ${LIMIT}-byte limit (maxResponseBytes); the rest was not read [request job]`,
      );
      expect(err).toMatchObject({ requestId: "job", status });
      // Not retried: the same answer would come again.
      expect(sent.requests).toBe(1);
      await expect.poll(() => sent.closed, { timeout: 5_000 }).toBe(true);
    });
  }

  it("a declared Content-Length over the limit is refused before reading", async () => {
    const { sent, baseUrl } = await server(200, { "content-length": String(LIMIT * 100) });
    const client = createClient({ token: TOKEN, baseUrl, maxResponseBytes: LIMIT });
    const err = await client.result("job").catch((e) => e);
    expect(err.message).toBe(
      `the answer to GET /requests/job/result (HTTP 200) is larger than the client's ${LIMIT}-byte limit (maxResponseBytes): it declares ${LIMIT * 100} bytes; the rest was not read [request job]`,
    );
    await expect.poll(() => sent.closed, { timeout: 5_000 }).toBe(true);
  });

  it("by default the limit is 16 MiB, on submit too", async () => {
    const { baseUrl } = await server(200);
    const client = createClient({ token: TOKEN, baseUrl, validate: false });
    const err = await client.submit("bytedance/dreamina-3-0/pro/text-to-video", { prompt: "x" }).catch((e) => e);
    expect(err.message).toContain(`larger than the client's ${16 * 1024 * 1024}-byte limit (maxResponseBytes)`);
  });
});
