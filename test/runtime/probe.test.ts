import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bmp, gif, jpeg, png, webpExtended, webpLossless, webpLossy } from "../../generator/mock/images.js";
import { bytesReader } from "../../generator/runtime/byte-reader.js";
import { readImageHeader } from "../../generator/runtime/image-header.js";
import { isPrivateAddress } from "../../generator/runtime/net-policy.js";
import { ProbeError, probeMedia, type ProbeOptions } from "../../generator/runtime/probe.js";
import { probeFile } from "../../generator/runtime/node.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { READ_SIZE, smallReadFetch } from "../../generator/runtime/small-read-fetch.js";
import { tempDir } from "../helpers.js";
import { writeFileSync } from "node:fs";
import path from "node:path";

const IMAGES = {
  "plain.jpg": jpeg(640, 480),
  "progressive.jpg": jpeg(1200, 800, { progressive: true }),
  "icc.jpg": jpeg(4096, 2048, { iccBytes: 1024 * 1024, exifBytes: 30_000 }),
  "image.png": png(320, 200),
  "lossy.webp": webpLossy(800, 600),
  "lossless.webp": webpLossless(1023, 77),
  "extended.webp": webpExtended(20_000, 3),
  "anim.gif": gif(500, 250),
  "image.bmp": bmp(64, 32),
  "topdown.bmp": bmp(64, 32, { topDown: true }),
};
const EXPECTED: Record<string, [string, number, number]> = {
  "plain.jpg": ["jpeg", 640, 480],
  "progressive.jpg": ["jpeg", 1200, 800],
  "icc.jpg": ["jpeg", 4096, 2048],
  "image.png": ["png", 320, 200],
  "lossy.webp": ["webp", 800, 600],
  "lossless.webp": ["webp", 1023, 77],
  "extended.webp": ["webp", 20_000, 3],
  "anim.gif": ["gif", 500, 250],
  "image.bmp": ["bmp", 64, 32],
  "topdown.bmp": ["bmp", 64, 32],
};
const local: ProbeOptions = { allowPrivateNetwork: true, timeoutMs: 3000 };
const all = { dimensions: true, size: true };

let server: MediaServer;
beforeAll(async () => {
  server = await startMediaServer();
  for (const [name, body] of Object.entries(IMAGES)) server.add(name, body);
  server.add("text.txt", new TextEncoder().encode("hello, this is not an image at all"));
  server.add("empty.png", new Uint8Array(0));
});
afterAll(() => server.close());

describe("header parsers", () => {
  it.each(Object.keys(IMAGES))("reads %s from bytes", async (name) => {
    const h = await readImageHeader(bytesReader(IMAGES[name as keyof typeof IMAGES]));
    expect([h.format, h.width, h.height]).toEqual(EXPECTED[name]);
  });

  it("never reads past the end of a partial buffer: every truncation is a clear error", async () => {
    for (const [name, body] of Object.entries(IMAGES)) {
      const header = await readImageHeader(bytesReader(body));
      // Cut just before the bytes that hold the size, at every length up to there.
      for (let cut = 0; cut < Math.min(body.length, 40); cut++) {
        const result = await readImageHeader(bytesReader(body.subarray(0, cut))).then(
          (h) => h,
          (e) => e,
        );
        if (result instanceof ProbeError) expect(["truncated", "unsupported", "corrupt"]).toContain(result.code);
        else expect([result.width, result.height], `${name} cut at ${cut}`).toEqual([header.width, header.height]);
      }
    }
  });

  it("rejects non-images and corrupt headers", async () => {
    await expect(readImageHeader(bytesReader(new TextEncoder().encode("GIF? no")))).rejects.toMatchObject({ code: "unsupported" });
    const broken = jpeg(10, 10).slice();
    broken[4] = 0x00; // APP0 length 0x0010 → 0x0010? make it invalid: 0x00 0x01
    broken[5] = 0x01;
    await expect(readImageHeader(bytesReader(broken))).rejects.toMatchObject({ code: "corrupt" });
    await expect(readImageHeader(bytesReader(png(0, 5)))).rejects.toMatchObject({ code: "corrupt" });
  });
});

describe("probe over HTTP (127.0.0.1)", () => {
  it.each(Object.keys(IMAGES))("measures %s with Range requests", async (name) => {
    const r = await probeMedia(server.url(`/range/${name}`), "image", all, local);
    expect([r.format, r.width, r.height]).toEqual(EXPECTED[name]);
    expect(r.sizeBytes).toBe(IMAGES[name as keyof typeof IMAGES].length);
    expect(r.rangeRequests).toBe(true);
  });

  it.each(Object.keys(IMAGES))("measures %s without Range support", async (name) => {
    const r = await probeMedia(server.url(`/norange/${name}`), "image", all, local);
    expect([r.format, r.width, r.height]).toEqual(EXPECTED[name]);
    expect(r.sizeBytes).toBe(IMAGES[name as keyof typeof IMAGES].length);
    expect(r.rangeRequests).toBe(false);
  });

  it("jumps over a 1 MB ICC profile with Range: reads a few KiB, not the file", async () => {
    server.reset();
    const r = await probeMedia(server.url("/range/icc.jpg"), "image", all, local);
    expect(r.width).toBe(4096);
    expect(IMAGES["icc.jpg"].length).toBeGreaterThan(1_000_000);
    expect(server.bytesSent()).toBeLessThan(32 * 1024);
    expect(r.bytesRead).toBeLessThan(32 * 1024);
  });

  it.each(Object.keys(IMAGES).filter((n) => n !== "icc.jpg"))("without Range, reads %s's header plus at most 4 KiB (Node transport)", async (name) => {
    const r = await probeMedia(server.url(`/norange/${name}`), "image", { dimensions: true, size: false }, local);
    expect([r.format, r.width, r.height]).toEqual(EXPECTED[name]);
    expect(r.bytesRead).toBeLessThanOrEqual(READ_SIZE);
  });

  it("without Range, a 1 MB ICC profile costs the profile plus at most 4 KiB, not the file", async () => {
    const r = await probeMedia(server.url("/norange/icc.jpg"), "image", { dimensions: true, size: false }, local);
    expect(r.width).toBe(4096);
    // Where the frame header starts: past SOI and every segment in front of it (the ICC profile).
    const bytes = IMAGES["icc.jpg"];
    let frame = 2;
    while (bytes[frame + 1] < 0xc0 || bytes[frame + 1] > 0xc3) frame += 2 + ((bytes[frame + 2] << 8) | bytes[frame + 3]);
    expect(frame).toBeGreaterThan(1_000_000);
    expect(r.bytesRead).toBeLessThanOrEqual(frame + READ_SIZE);
  });

  it("stops streaming as soon as the header is read when there is no Range support", async () => {
    server.add("big.png", png(4000, 3000, { totalBytes: 5_000_000 }));
    const r = await probeMedia(server.url("/norange/big.png"), "image", all, local);
    expect(r).toMatchObject({ width: 4000, height: 3000, sizeBytes: 5_000_000 });
    expect(r.bytesRead).toBeLessThan(1_000_000);
  });

  it("reports truncated, non-image, empty, lying and failing answers clearly", async () => {
    const probe = (p: string) => probeMedia(server.url(p), "image", all, local).catch((e: ProbeError) => e.code);
    expect(await probe("/truncated/icc.jpg")).toBe("network");
    expect(await probe("/norange/text.txt")).toBe("unsupported");
    expect(await probe("/norange/empty.png")).toBe("truncated");
    expect(await probe("/lying/image.png")).toBe("truncated");
    expect(await probe("/status/404")).toBe("http");
    expect(await probe("/nowhere/x")).toBe("http");
  });

  it("is bounded: timeout, byte cap, redirect limit", async () => {
    const t0 = Date.now();
    await expect(probeMedia(server.url("/slow/x"), "image", all, { ...local, timeoutMs: 300 })).rejects.toMatchObject({ code: "timeout" });
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(probeMedia(server.url("/endless/x.jpg"), "image", all, { ...local, maxBytes: 200_000 })).rejects.toMatchObject({ code: "too-large" });
    await expect(probeMedia(server.url("/loop/x"), "image", all, local)).rejects.toMatchObject({ code: "redirects" });
  });

  it("caps bytes on a stream whose header never ends", async () => {
    // A JPEG whose APP segments go on forever: the cap stops it.
    const endlessHeader = jpeg(10, 10, { iccBytes: 3_000_000 });
    server.add("long.jpg", endlessHeader);
    await expect(probeMedia(server.url("/norange/long.jpg"), "image", all, { ...local, maxBytes: 500_000 })).rejects.toMatchObject({ code: "too-large" });
  });

  it("refuses private addresses unless allowed, including after a redirect", async () => {
    await expect(probeMedia(server.url("/range/image.png"), "image", all, { timeoutMs: 2000 })).rejects.toMatchObject({ code: "refused" });
    // A public-looking host (resolved by a test resolver) that redirects to a private address.
    const publicFetch: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace("http://media.example/", server.url("/")), init);
    const options: ProbeOptions = { fetch: publicFetch, resolveHost: async () => ["93.184.216.34"], timeoutMs: 2000 };
    const ok = await probeMedia("http://media.example/range/image.png", "image", all, options);
    expect(ok.width).toBe(320);
    await expect(probeMedia("http://media.example/redirect/x?to=http://10.0.0.7/secret.png", "image", all, options)).rejects.toMatchObject({ code: "refused" });
    await expect(probeMedia("http://media.example/redirect/x?to=http://[::1]/secret.png", "image", all, options)).rejects.toMatchObject({ code: "refused" });
    await expect(probeMedia("file:///etc/passwd", "image", all, options)).rejects.toMatchObject({ code: "refused" });
  });

  it("knows which addresses are private", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:7f00:1"]) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"]) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe("probe of local sources", () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  it("reads a file path, a Uint8Array and a Blob", async () => {
    const file = path.join(tmp.dir, "a.webp");
    writeFileSync(file, IMAGES["lossless.webp"]);
    expect(await probeFile(file)).toMatchObject({ width: 1023, height: 77, sizeBytes: IMAGES["lossless.webp"].length });
    expect(await probeMedia(IMAGES["anim.gif"], "image", all)).toMatchObject({ width: 500, height: 250 });
    expect(await probeMedia(new Blob([IMAGES["image.bmp"] as Uint8Array<ArrayBuffer>]), "image", all)).toMatchObject({ width: 64, height: 32, sizeBytes: IMAGES["image.bmp"].length });
  });
});

describe("data URIs", () => {
  it("are decoded and measured locally", async () => {
    const b64 = Buffer.from(IMAGES["image.png"]).toString("base64");
    expect(await probeMedia(`data:image/png;base64,${b64}`, "image", all)).toMatchObject({ format: "png", width: 320, height: 200, sizeBytes: IMAGES["image.png"].length });
    await expect(probeMedia("data:image/png;base64,%%%", "image", all)).rejects.toMatchObject({ code: "corrupt" });
  });
});

describe("the Node transport (small-read-fetch)", () => {
  const raw = async (handler: (socket: import("node:net").Socket) => void) => {
    const net = await import("node:net");
    // The client may close first (that is the point of some cases): a reset is not a failure here.
    const srv = net.createServer((socket) => socket.on("error", () => {}).once("data", () => handler(socket)));
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(srv.address() as import("node:net").AddressInfo).port}/x`, close: () => srv.close() };
  };
  const text = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

  it("decodes chunked bodies, honours Content-Length and reads to the end of close-delimited ones", async () => {
    const chunked = await raw((s) => s.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"));
    const sized = await raw((s) => s.end("HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\nContent-Range: bytes 0-2/10\r\n\r\nabcIGNORED"));
    const closed = await raw((s) => s.end("HTTP/1.0 200 OK\r\n\r\nuntil the end"));
    try {
      const a = await smallReadFetch(chunked.url);
      expect([a.status, a.headers.get("x-a"), await text(a)]).toEqual([200, "1", "hello, world"]);
      const b = await smallReadFetch(sized.url, { headers: { range: "bytes=0-2" } });
      expect([b.status, b.headers.get("content-range"), await text(b)]).toEqual([206, "bytes 0-2/10", "abc"]);
      expect(await text(await smallReadFetch(closed.url))).toBe("until the end");
    } finally {
      chunked.close();
      sized.close();
      closed.close();
    }
  });

  it("reports cut-off bodies, oversized or malformed heads, encodings it did not ask for, and aborts", async () => {
    const cut = await raw((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"));
    const huge = await raw((s) => s.end("HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n"));
    const junk = await raw((s) => s.end("SSH-2.0-OpenSSH\r\n\r\n"));
    const gzip = await raw((s) => s.end("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\nxx"));
    const silent = await raw(() => {});
    try {
      await expect((await smallReadFetch(cut.url)).arrayBuffer()).rejects.toThrow(/before the declared end/);
      await expect(smallReadFetch(huge.url)).rejects.toThrow(/head larger/);
      await expect(smallReadFetch(junk.url)).rejects.toThrow(/not an HTTP/);
      await expect(smallReadFetch(gzip.url)).rejects.toThrow(/gzip/);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expect(smallReadFetch(silent.url, { signal: controller.signal })).rejects.toThrow(/abort/);
    } finally {
      for (const s of [cut, huge, junk, gzip, silent]) s.close();
    }
  });
});
