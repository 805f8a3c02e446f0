/**
 * The probe against a real web server no one here wrote: nginx (Debian's nginx-light, installed by
 * `.ci/run`) serving the fixture images from a folder with Range and connections kept alive for 65 s,
 * as ordinary hosts and CDNs do. nginx's access log says what was asked for, on which connection,
 * and how many bytes nginx wrote.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { avif, gif, jpeg, png, webpExtended, webpLossless, webpLossy } from "../../generator/mock/images.js";
import { startNginx, type Nginx } from "../../generator/mock/nginx.js";
import { nodeTransport } from "../../generator/runtime/media/node-media-fetch.js";
import { FIRST_WINDOW, probeMedia, type ProbeOptions } from "../../generator/runtime/media/probe.js";

const local: ProbeOptions = { allowPrivateNetwork: true };
const all = { dimensions: true, size: true };

/**
 * A 1 MB ICC profile in 16 APP2 segments as libjpeg cuts them, whose own header does not give its
 * size (a profile of arbitrary bytes): the probe cannot jump to its end and walks the segments.
 */
const ICC_UNSIZED = jpeg(14, 10, { iccBytes: 1_000_000, iccChunkBytes: 65_519, iccDeclaredBytes: 0x009e3cda });

/** JPEGs whose frame header lies after many segments, each [width, height, bytes]. */
const LATE_JPEGS: Record<string, [number, number, Uint8Array]> = {
  "icc-unsized.jpg": [14, 10, ICC_UNSIZED],
  // A profile in chunks cut as libjpeg cuts them, and a smaller one in three.
  "icc-libjpeg.jpg": [4000, 3000, jpeg(4000, 3000, { iccBytes: 1024 * 1024, iccChunkBytes: 65_519, totalBytes: 3e6 })],
  "icc-150k.jpg": [640, 480, jpeg(640, 480, { iccBytes: 150_000, iccChunkBytes: 60_000 })],
  // Adobe's extended XMP: a megabyte in 16 APP1 segments, after EXIF and before a profile.
  "xmp.jpg": [6000, 4000, jpeg(6000, 4000, { exifBytes: 30_000, xmpExtensionBytes: 1_000_000, iccBytes: 300_000 })],
  "exif-60k.jpg": [320, 240, jpeg(320, 240, { exifBytes: 60_000, totalBytes: 500_000 })],
};

/** AVIFs whose size (the meta box) lies after a megabyte of image data: one more request, as for JPEG. */
const LATE_AVIF = avif(3000, 2000, { mdatFirstBytes: 1_000_000 });

/** Formats whose header lies at a fixed place near the start: one request, whatever the file's size. */
const EARLY_HEADERS: Record<string, [string, number, number, Uint8Array]> = {
  "image.png": ["png", 1920, 1080, png(1920, 1080, { totalBytes: 600_000 })],
  "anim.gif": ["gif", 640, 480, gif(640, 480, { totalBytes: 300_000 })],
  "lossy.webp": ["webp", 800, 600, webpLossy(800, 600, { totalBytes: 300_000 })],
  "lossless.webp": ["webp", 1023, 77, webpLossless(1023, 77)],
  "extended.webp": ["webp", 20_000, 3, webpExtended(20_000, 3)],
  "image.avif": ["avif", 1920, 1080, avif(1920, 1080, { totalBytes: 300_000 })],
};

let nginx: Nginx;
beforeAll(async () => {
  nginx = await startNginx();
  for (const [name, [, , body]] of Object.entries(LATE_JPEGS)) nginx.add(name, body);
  for (const [name, [, , , body]] of Object.entries(EARLY_HEADERS)) nginx.add(name, body);
  nginx.add("late.avif", LATE_AVIF);
});
afterAll(() => nginx?.close());

describe("probe through nginx (keepalive_timeout 65 s)", () => {
  it("never waits for the server to close an idle kept-alive connection: a second request opens another", async () => {
    // Within this deadline, not nginx's 65 s: a request queued behind the unread answer's connection fails with it.
    const transport = await nodeTransport(local, AbortSignal.timeout(20_000));
    try {
      const url = new URL(nginx.url("icc-unsized.jpg"));
      const unread = await transport.get(url, { range: "bytes=0-65535" });
      const second = await transport.get(url, { range: "bytes=0-0" });
      expect([unread.status, second.status]).toEqual([206, 206]);
      unread.close();
      second.close();
    } finally {
      transport.close();
    }
  });

  it("measures a JPEG whose ICC profile it must walk segment by segment, all on one kept-alive connection", async () => {
    nginx.reset();
    const r = await probeMedia(nginx.url("icc-unsized.jpg"), "image", all, local);
    expect(r).toMatchObject({ format: "jpeg", width: 14, height: 10, sizeBytes: ICC_UNSIZED.length });
    const log = nginx.log();
    expect(log.length).toBeGreaterThan(0);
    expect(new Set(log.map((l) => l.connection)).size).toBe(1);
  });

  it.each(Object.keys(LATE_JPEGS))(
    "measures %s in at most 2 requests (one round trip after the first window), on one connection",
    async (name) => {
      const [width, height, body] = LATE_JPEGS[name];
      nginx.reset();
      const r = await probeMedia(nginx.url(name), "image", all, local);
      expect(r).toMatchObject({ format: "jpeg", width, height, sizeBytes: body.length });
      const log = nginx.log();
      expect(log.length).toBeLessThanOrEqual(2);
      expect(log.map((l) => l.status)).toEqual(log.map(() => 206));
      expect(new Set(log.map((l) => l.connection)).size).toBe(1);
      // What the probe read is what it needed, not the file: the second answer is cancelled once the header is read.
      expect(r.bytesRead).toBeLessThan(Math.min(body.length, 1_200_000));
    },
  );

  it.each(Object.keys(EARLY_HEADERS))(
    "measures %s in one request, nginx writing the first window only",
    async (name) => {
      const [format, width, height, body] = EARLY_HEADERS[name];
      nginx.reset();
      const r = await probeMedia(nginx.url(name), "image", all, local);
      expect(r).toMatchObject({ format, width, height, sizeBytes: body.length, rangeRequests: true });
      const log = nginx.log();
      expect(log.map((l) => [l.range, l.status])).toEqual([["bytes=0-65535", 206]]);
      expect(log[0].bytesSent).toBeLessThan(FIRST_WINDOW + 1024);
    },
  );

  it.each(Object.keys(LATE_JPEGS))(
    "measures %s from a location that ignores Range (200, the whole file) in one request",
    async (name) => {
      const [width, height, body] = LATE_JPEGS[name];
      nginx.reset();
      const r = await probeMedia(nginx.url(name, { ranges: false }), "image", all, local);
      expect(r).toMatchObject({ width, height, rangeRequests: false, sizeBytes: body.length });
      // nginx logs a cut-off answer once it sees the connection closed.
      await vi.waitFor(() => expect(nginx.log().map((l) => l.status)).toEqual([200]));
    },
  );

  it("measures an AVIF whose meta box follows a megabyte of image data in 2 requests on one connection", async () => {
    nginx.reset();
    const r = await probeMedia(nginx.url("late.avif"), "image", all, local);
    expect(r).toMatchObject({ format: "avif", width: 3000, height: 2000, sizeBytes: LATE_AVIF.length });
    const log = nginx.log();
    expect(log.length).toBeLessThanOrEqual(2);
    expect(new Set(log.map((l) => l.connection)).size).toBe(1);
    expect(r.bytesRead).toBeLessThan(FIRST_WINDOW + 64 * 1024);
  });
});
