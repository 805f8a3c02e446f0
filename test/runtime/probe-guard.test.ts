/**
 * The probe's address guard and bounds under attack, against real servers on 127.0.0.1. Names are
 * resolved by stub resolvers; the test network (net-guard.ts) fails any socket aimed past loopback,
 * and `route` lets a pretend public address lead to a local server.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { png } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { probeMedia, type ProbeOptions } from "../../generator/runtime/media/probe.js";
import { route, takeBlocked } from "../net-guard.js";

const all = { dimensions: true, size: true };
/** Public addresses (not special-purpose); the test network routes the first to 127.0.0.1. */
const ROUTED = "93.184.215.14";
const UNROUTED = "151.101.1.57";

/** A resolver answering from a script, one answer per call (the last one repeats); counts calls. */
function scripted(...answers: string[][]) {
  let calls = 0;
  const resolveHost = async () => answers[Math.min(calls++, answers.length - 1)];
  return { resolveHost, calls: () => calls };
}

let publicHost: MediaServer;
let internal: MediaServer;
let unroute: () => void;
beforeAll(async () => {
  publicHost = await startMediaServer();
  internal = await startMediaServer();
  for (const s of [publicHost, internal]) s.add("image.png", png(320, 200));
  unroute = route(ROUTED);
});
afterAll(async () => {
  unroute();
  await Promise.all([publicHost.close(), internal.close()]);
});

const port = (s: MediaServer) => new URL(s.url("/")).port;

describe("DNS rebinding", () => {
  it("a name that answers a public address first and 127.0.0.1 next never reaches the loopback server", async () => {
    internal.reset();
    takeBlocked();
    const resolver = scripted([UNROUTED], ["127.0.0.1"]);
    // `localhost` is a name the system resolves to 127.0.0.1: a transport that resolved again would reach the server.
    const outcome = await probeMedia(`http://localhost:${port(internal)}/range/image.png`, "image", all, {
      ...resolver,
      timeoutMs: 3000,
    }).then(
      (r) => r,
      (e: Error) => e,
    );
    expect(internal.requests()).toBe(0);
    expect(outcome).toMatchObject({ code: "network" });
    // The socket went to the address that was checked, and the test network stopped it there.
    expect(takeBlocked()).toEqual([UNROUTED]);
    expect(resolver.calls()).toBe(1);
  });

  it("each new connection is checked again: a redirect to the same name on another port is refused when the name now answers 127.0.0.1", async () => {
    internal.reset();
    const resolver = scripted([ROUTED], ["127.0.0.1"]);
    const target = `http://media.test:${port(internal)}/range/image.png`;
    const url = `http://media.test:${port(publicHost)}/redirect/x?to=${encodeURIComponent(target)}`;
    await expect(probeMedia(url, "image", all, { ...resolver, timeoutMs: 3000 })).rejects.toMatchObject({
      code: "refused",
      message: expect.stringMatching(/resolves to private address 127\.0\.0\.1/),
    });
    expect(internal.requests()).toBe(0);
    expect(resolver.calls()).toBe(2);
  });

  it("a public name is measured through the checked address, with range requests on one connection", async () => {
    publicHost.reset();
    const resolver = scripted([ROUTED], ["127.0.0.1"]);
    const r = await probeMedia(`http://media.test:${port(publicHost)}/range/image.png`, "image", all, {
      ...resolver,
      timeoutMs: 3000,
    });
    expect(r).toMatchObject({ width: 320, height: 200 });
    expect(resolver.calls()).toBe(1);
  });
});

describe("redirects and names", () => {
  const viaPublic = (to: string) => `http://media.test:${port(publicHost)}/redirect/x?to=${encodeURIComponent(to)}`;
  const options = (): ProbeOptions => ({ ...scripted([ROUTED]), timeoutMs: 3000 });

  it.each([
    "http://10.0.0.7/secret.png",
    "http://[::1]/x",
    "http://[::ffff:7f00:1]/x",
    "http://[::ffff:0:7f00:1]/x",
    "http://[64:ff9b::a00:7]/x",
    "http://[2002:7f00:1::]/x",
    "http://[fec0::1]/x",
    "http://169.254.169.254/latest/meta-data",
  ])("a public host redirecting to %s is refused before any connection", async (to) => {
    takeBlocked();
    await expect(probeMedia(viaPublic(to), "image", all, options())).rejects.toMatchObject({ code: "refused" });
    expect(takeBlocked()).toEqual([]);
  });

  it("a name with any special-purpose address among its answers is refused", async () => {
    await expect(
      probeMedia(`http://media.test:${port(publicHost)}/range/image.png`, "image", all, {
        ...scripted([ROUTED, "10.1.2.3"]),
        timeoutMs: 3000,
      }),
    ).rejects.toMatchObject({ code: "refused" });
  });
});

describe("one deadline over everything", () => {
  it("a resolver that never answers ends in a timeout, not a hang", async () => {
    const never = () => new Promise<string[]>(() => {});
    await expect(
      probeMedia("http://slow-dns.test/x.png", "image", all, { resolveHost: never, timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: "timeout" });
  });

  it("the caller's signal stops a probe waiting on DNS", async () => {
    const controller = new AbortController();
    const pending = probeMedia("http://slow-dns.test/x.png", "image", all, {
      resolveHost: () => new Promise(() => {}),
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  it("a socket aimed past loopback fails before it connects (the test network)", async () => {
    takeBlocked();
    await expect(probeMedia(`http://${UNROUTED}:9/x.png`, "image", all, { timeoutMs: 3000 })).rejects.toMatchObject({
      code: "network",
    });
    expect(takeBlocked()).toEqual([UNROUTED]);
  });
});

describe("HTTP framing is Node's (strict) parser", () => {
  const raw = async (reply: (socket: net.Socket) => void) => {
    const srv = net.createServer((socket) => socket.on("error", () => {}).once("data", () => reply(socket)));
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/x`, close: () => srv.close() };
  };
  const PNG = Buffer.from(png(320, 200));
  const local: ProbeOptions = { allowPrivateNetwork: true, timeoutMs: 20_000 };

  it("refuses conflicting or negative Content-Length", async () => {
    const dup = await raw((s) =>
      s.end(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${PNG.length}\r\nContent-Length: 5\r\n\r\n`),
          PNG,
        ]),
      ),
    );
    const negative = await raw((s) =>
      s.end(Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n"), PNG])),
    );
    try {
      await expect(probeMedia(dup.url, "image", all, local)).rejects.toMatchObject({ code: "network" });
      await expect(probeMedia(negative.url, "image", all, local)).rejects.toMatchObject({ code: "network" });
    } finally {
      dup.close();
      negative.close();
    }
  });

  it("stops an endless chunk-size line at once instead of buffering it until the deadline", async () => {
    const endless = await raw((s) => {
      s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
      const pump = () => {
        while (!s.destroyed && s.write("a".repeat(16_384)));
        if (!s.destroyed) s.once("drain", pump);
      };
      pump();
    });
    try {
      await expect(probeMedia(endless.url, "image", all, local)).rejects.toMatchObject({ code: "network" });
    } finally {
      endless.close();
    }
  });

  it("passes over informational answers and reports an out-of-range status as the host's answer", async () => {
    const early = await raw((s) =>
      s.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${PNG.length}\r\n\r\n`,
          ),
          PNG,
        ]),
      ),
    );
    const weird = await raw((s) => s.end("HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n"));
    try {
      expect(await probeMedia(early.url, "image", all, local)).toMatchObject({ width: 320, height: 200 });
      await expect(probeMedia(weird.url, "image", all, local)).rejects.toMatchObject({ code: "http", status: 600 });
    } finally {
      early.close();
      weird.close();
    }
  });
});
