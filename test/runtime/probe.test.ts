import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { avif, bmp, gif, jpeg, png, webpExtended, webpLossless, webpLossy } from "../../generator/mock/images.js";
import { bytesReader } from "../../generator/runtime/media/byte-reader.js";
import { readImageHeader } from "../../generator/runtime/media/image-header.js";
import {
  FIRST_WINDOW,
  ProbeError,
  decodeDataUri,
  probeMedia,
  type ProbeOptions,
} from "../../generator/runtime/media/probe.js";
import { probeFile } from "../../generator/runtime/node.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
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
  "image.avif": avif(1920, 1080, { totalBytes: 200_000 }),
  "late.avif": avif(3000, 2000, { mdatFirstBytes: 1_000_000 }),
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
  "image.avif": ["avif", 1920, 1080],
  "late.avif": ["avif", 3000, 2000],
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

  it("walks an ICC profile chunk by chunk when its announced size does not lead to the last chunk", async () => {
    const lying = IMAGES["icc.jpg"].slice();
    // The first APP2 segment's profile size (after SOI, APP0, APP1 and the ICC framing) now says 200 KB.
    const at = lying.findIndex((_, i) => lying[i] === 0xff && lying[i + 1] === 0xe2);
    new DataView(lying.buffer).setUint32(at + 4 + 14, 200_000);
    expect(await readImageHeader(bytesReader(lying))).toMatchObject({ width: 4096, height: 2048 });
  });

  it("jumps over an ICC profile whose chunks are cut unevenly, finding the last chunk's header", async () => {
    // SOI, then a 150,000-byte profile in APP2 chunks of 60,000, 65,000 and 25,000 bytes, then the rest of a JPEG.
    const sizes = [60_000, 65_000, 25_000];
    const profile = new Uint8Array(150_000);
    new DataView(profile.buffer).setUint32(0, profile.length);
    const chunks = sizes.map((_size, i) => {
      const data = profile.subarray(
        sizes.slice(0, i).reduce((a, b) => a + b, 0),
        sizes.slice(0, i + 1).reduce((a, b) => a + b, 0),
      );
      const length = 2 + 14 + data.length;
      return Uint8Array.from([
        0xff,
        0xe2,
        length >> 8,
        length & 255,
        ...new TextEncoder().encode("ICC_PROFILE\0"),
        i + 1,
        sizes.length,
        ...data,
      ]);
    });
    const rest = jpeg(1234, 567).subarray(2);
    const bytes = Uint8Array.from([0xff, 0xd8, ...chunks.flatMap((c) => [...c]), ...rest]);
    const reads: number[] = [];
    const reader = bytesReader(bytes);
    const counting = { ...reader, read: (o: number, n: number) => (reads.push(o), reader.read(o, n)) };
    expect(await readImageHeader(counting)).toMatchObject({ width: 1234, height: 567 });
    // One jump: no read lands at the second chunk's header (offset 2 + 60,018).
    expect(reads).not.toContain(2 + 60_018);
  });

  it("reads AVIF sizes as probe-image-size does, and the primary item's even beside a larger thumbnail", async () => {
    const { default: probeImageSize } = await import("probe-image-size");
    // probe-image-size reports the largest of the sizes (these files carry a 160×90 thumbnail), decoders the primary item's.
    for (const [w, h] of [
      [161, 91],
      [4000, 3000],
      [65_537, 3],
    ]) {
      const bytes = avif(w, h, { totalBytes: 10_000 });
      const oracle = probeImageSize.sync(Buffer.from(bytes));
      expect(await readImageHeader(bytesReader(bytes))).toEqual({
        format: "avif",
        width: oracle?.width,
        height: oracle?.height,
      });
    }
    expect(await readImageHeader(bytesReader(avif(2, 3)))).toEqual({ format: "avif", width: 2, height: 3 });
  });

  it("leaves an AVIF whose size a decoder may report rotated unmeasured (the rules unchecked), not guessed", async () => {
    await expect(readImageHeader(bytesReader(avif(4000, 300, { quarterTurns: 1 })))).rejects.toMatchObject({
      code: "unmeasured-format",
    });
  });

  it("rejects non-images and corrupt headers", async () => {
    await expect(readImageHeader(bytesReader(new TextEncoder().encode("GIF? no")))).rejects.toMatchObject({
      code: "unsupported",
    });
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

  it.each(Object.keys(IMAGES).filter((n) => n !== "icc.jpg" && n !== "late.avif"))(
    "measures %s in one request on one connection",
    async (name) => {
      server.reset();
      const r = await probeMedia(server.url(`/range/${name}`), "image", all, local);
      expect(r.width).toBe(EXPECTED[name][1]);
      expect([server.requests(), server.connections()]).toEqual([1, 1]);
    },
  );

  it("jumps over a 1 MB ICC profile with Range: two requests on one kept-alive connection, not the file", async () => {
    server.reset();
    const r = await probeMedia(server.url("/range/icc.jpg"), "image", all, local);
    expect(r.width).toBe(4096);
    expect(IMAGES["icc.jpg"].length).toBeGreaterThan(1_000_000);
    expect([server.requests(), server.connections()]).toEqual([2, 1]);
    // The first window, then from where the last ICC chunk can start (a segment before the profile's
    // end) to the frame header: the open-ended second answer is cancelled there.
    expect(r.bytesRead).toBeLessThan(FIRST_WINDOW + 64 * 1024 + 80 * 1024);
  });

  it("asks only for one byte when only the size is wanted", async () => {
    server.reset();
    const r = await probeMedia(server.url("/range/icc.jpg"), "video", { dimensions: false, size: true }, local);
    expect(r.sizeBytes).toBe(IMAGES["icc.jpg"].length);
    expect(server.bytesSent()).toBe(1);
  });

  it("without Range, stops reading and closes the response as soon as the header is read", async () => {
    server.add("big.png", png(4000, 3000, { totalBytes: 16_000_000 }));
    server.reset();
    const r = await probeMedia(server.url("/norange/big.png"), "image", all, local);
    expect(r).toMatchObject({ width: 4000, height: 3000, sizeBytes: 16_000_000, rangeRequests: false });
    expect(r.bytesRead).toBeLessThan(1_000_000);
    await vi.waitFor(() => expect(server.resets()).toBe(1));
  });

  it("reports truncated, non-image, empty, lying and failing answers clearly", async () => {
    const probe = (p: string) => probeMedia(server.url(p), "image", all, local).catch((e: ProbeError) => e.code);
    expect(await probe("/truncated/icc.jpg")).toBe("network");
    expect(await probe("/norange/text.txt")).toBe("unsupported");
    expect(await probe("/norange/empty.png")).toBe("truncated");
    expect(await probe("/range/empty.png")).toBe("truncated");
    expect(await probe("/lying/image.png")).toBe("truncated");
    expect(await probe("/status/404")).toBe("http");
    expect(await probe("/nowhere/x")).toBe("http");
  });

  it("is bounded: timeout, byte cap, redirect limit", async () => {
    await expect(probeMedia(server.url("/slow/x"), "image", all, { ...local, timeoutMs: 300 })).rejects.toMatchObject({
      code: "timeout",
    });
    await expect(
      probeMedia(server.url("/endless/x.jpg"), "image", all, { ...local, maxBytes: 200_000 }),
    ).rejects.toMatchObject({ code: "too-large" });
    await expect(probeMedia(server.url("/loop/x"), "image", all, local)).rejects.toMatchObject({ code: "redirects" });
  });

  it("caps bytes on a stream whose header never ends", async () => {
    // A JPEG whose APP segments go on forever: the cap stops it.
    const endlessHeader = jpeg(10, 10, { iccBytes: 3_000_000 });
    server.add("long.jpg", endlessHeader);
    await expect(
      probeMedia(server.url("/norange/long.jpg"), "image", all, { ...local, maxBytes: 500_000 }),
    ).rejects.toMatchObject({ code: "too-large" });
    // With Range the profile is jumped over; the cap still counts every byte received.
    expect(
      await probeMedia(server.url("/range/long.jpg"), "image", all, { ...local, maxBytes: 500_000 }),
    ).toMatchObject({ width: 10 });
    // The first 64 KiB window and the region where the profile's last chunk can start are more than 80,000 bytes.
    await expect(
      probeMedia(server.url("/range/long.jpg"), "image", all, { ...local, maxBytes: 80_000 }),
    ).rejects.toMatchObject({ code: "too-large" });
  });

  it("refuses loopback and other schemes unless allowed", async () => {
    await expect(probeMedia(server.url("/range/image.png"), "image", all, { timeoutMs: 2000 })).rejects.toMatchObject({
      code: "refused",
    });
    await expect(probeMedia("file:///etc/passwd", "image", all, {})).rejects.toMatchObject({ code: "refused" });
    await expect(probeMedia("not a url", "image", all, {})).rejects.toMatchObject({ code: "refused" });
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
    expect(await probeMedia(new Blob([IMAGES["image.bmp"] as Uint8Array<ArrayBuffer>]), "image", all)).toMatchObject({
      width: 64,
      height: 32,
      sizeBytes: IMAGES["image.bmp"].length,
    });
  });
});

describe("data URIs", () => {
  it("are decoded and measured locally", async () => {
    const b64 = Buffer.from(IMAGES["image.png"]).toString("base64");
    expect(await probeMedia(`data:image/png;base64,${b64}`, "image", all)).toMatchObject({
      format: "png",
      width: 320,
      height: 200,
      sizeBytes: IMAGES["image.png"].length,
    });
    await expect(probeMedia("data:image/png;base64,%%%", "image", all)).rejects.toMatchObject({ code: "corrupt" });
  });
});

describe("data URIs: only the bytes the header needs are decoded", () => {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  it("measures a 60 MiB data URI decoding a few hundred bytes, its size from the base64 length", async () => {
    const body = jpeg(4000, 3000, { exifBytes: 20_000, totalBytes: 60 * 1024 * 1024 });
    const r = await probeMedia(`data:image/jpeg;base64,${b64(body)}`, "image", all);
    expect(r).toMatchObject({ format: "jpeg", width: 4000, height: 3000, sizeBytes: body.length });
    expect(r.bytesRead).toBeLessThan(1024);
  });

  it("decodes padded, unpadded and line-wrapped base64 and percent-encoded bytes to the same size and header", async () => {
    for (const body of [png(31, 7), png(32, 7), png(33, 7)]) {
      const text = b64(body);
      const forms = [
        `data:image/png;base64,${text}`,
        `data:image/png;base64,${text.replace(/=+$/, "")}`,
        `data:image/png;base64,${text.replace(/.{76}/g, "$&\r\n")}`,
        `data:image/png;base64,${text.slice(0, 40)} ${text.slice(40)}`,
        `data:image/png,${[...body].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")}`,
      ];
      for (const uri of forms) {
        expect(await probeMedia(uri, "image", all)).toMatchObject({ width: body[19], sizeBytes: body.length });
        expect([...decodeDataUri(uri)]).toEqual([...body]);
      }
    }
  });

  it("reads a percent-encoded binary header (bytes over 0x7F are bytes, not UTF-8)", async () => {
    const body = gif(200, 2);
    const uri = `data:image/gif,${[...body].map((b) => (b >= 0x30 && b <= 0x7a ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("")}`;
    expect(await probeMedia(uri, "image", all)).toMatchObject({
      format: "gif",
      width: 200,
      height: 2,
      sizeBytes: body.length,
    });
  });

  it("reports malformed base64 in the bytes it reads as corrupt", async () => {
    await expect(probeMedia("data:image/png;base64,%%%", "image", all)).rejects.toMatchObject({ code: "corrupt" });
    await expect(probeMedia("data:image/png;base64,iVBORw0KGgo*AAAA", "image", all)).rejects.toMatchObject({
      code: "corrupt",
    });
    await expect(probeMedia("data:image/png;base64,A", "image", all)).rejects.toMatchObject({ code: "corrupt" });
  });
});
