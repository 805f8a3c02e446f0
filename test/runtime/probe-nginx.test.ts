/**
 * The probe against a real web server no one here wrote: nginx (Debian's nginx-light, installed by
 * `.ci/run`) serving the fixture images from a folder with Range and connections kept alive for 65 s,
 * as ordinary hosts and CDNs do. nginx's access log says what was asked for, on which connection,
 * and how many bytes nginx wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jpeg } from "../../generator/mock/images.js";
import { startNginx, type Nginx } from "../../generator/mock/nginx.js";
import { nodeTransport } from "../../generator/runtime/node-transport.js";
import { probeMedia, type ProbeOptions } from "../../generator/runtime/probe.js";

const local: ProbeOptions = { allowPrivateNetwork: true };
const all = { dimensions: true, size: true };

/**
 * A 1 MB ICC profile in 16 APP2 segments as libjpeg cuts them, whose own header does not give its
 * size (a profile of arbitrary bytes): the probe cannot jump to its end and walks the segments.
 */
const ICC_UNSIZED = jpeg(14, 10, { iccBytes: 1_000_000, iccChunkBytes: 65_519, iccDeclaredBytes: 0x009e3cda });

let nginx: Nginx;
beforeAll(async () => {
  nginx = await startNginx();
  nginx.add("icc-unsized.jpg", ICC_UNSIZED);
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
});
