/**
 * Probing image dimensions over a simulated link (bench/link.ts: a round trip of RTT_MS, BANDWIDTH
 * each way, a handshake round trip per new connection): the latency the user waits and the bytes the
 * server wrote to its sockets, for the project's probe, probe-image-size and a full download, with a
 * server that honours Range and one that does not. Every measurement starts without a warm
 * connection. Traffic stays on 127.0.0.1.
 */
import { Agent, get } from "node:http";
import probeImageSize from "probe-image-size";
import { gif, jpeg, png, webpLossy } from "../../generator/mock/images.js";
import { probeMedia } from "../../generator/runtime/probe.js";
import { startCountingOrigin, startLink } from "../link.js";
import { fmt, median, type Row } from "../stats.js";

export const LINK = { rttMs: 50, bytesPerSecond: 2_500_000 };

const kb = (n: number) => (n < 10_240 ? `${fmt(n)} B` : `${fmt(n / 1024)} KB`);

export async function benchProbe(runs: number, log: (s: string) => void): Promise<Row[]> {
  const origin = await startCountingOrigin();
  const link = await startLink(origin.port, LINK);
  const images: [string, Uint8Array, string][] = [
    ["JPEG", jpeg(1920, 1080, { totalBytes: 400_000 }), "image/jpeg"],
    [
      "JPEG, 1 MB ICC profile before the frame",
      jpeg(4000, 3000, { iccBytes: 1024 * 1024, totalBytes: 2_000_000 }),
      "image/jpeg",
    ],
    ["PNG", png(1920, 1080, { totalBytes: 600_000 }), "image/png"],
    ["WebP", webpLossy(1920, 1080, { totalBytes: 300_000 }), "image/webp"],
    ["GIF", gif(640, 480, { totalBytes: 300_000 }), "image/gif"],
  ];
  const rows: Row[] = [];
  try {
    images.forEach(([, body, type], i) => origin.add(`img${i}`, body, type));
    for (const [i, [name, body]] of images.entries()) {
      for (const mode of ["range", "norange"] as const) {
        log(`probe over the link: ${name}, ${mode === "range" ? "Range honoured" : "no Range"}…`);
        const url = `http://127.0.0.1:${link.port}/${mode}/img${i}`;
        const measure = async (fn: () => Promise<unknown>) => {
          const ms: number[] = [];
          const written: number[] = [];
          const crossed: number[] = [];
          const requests: number[] = [];
          for (let r = 0; r < runs; r++) {
            link.dropConnections();
            origin.reset();
            link.reset();
            const t0 = performance.now();
            await fn();
            ms.push(performance.now() - t0);
            // Let what the server already sent reach the counters, then close.
            await new Promise((resolve) => setTimeout(resolve, LINK.rttMs * 2));
            written.push(origin.bytesWritten());
            crossed.push(link.bytesDelivered());
            requests.push(origin.requests());
          }
          return { ms: median(ms), written: median(written), crossed: median(crossed), requests: median(requests) };
        };
        const ours = await measure(() =>
          probeMedia(url, "image", { dimensions: true, size: true }, { allowPrivateNetwork: true }),
        );
        // A fresh connection per measurement on every side: the link drops connections between them.
        const other = await measure(() => probeImageSize(url, { agent: new Agent({ keepAlive: false }) } as never));
        const full = await measure(() => download(url));
        const met = ours.ms <= other.ms && (mode === "norange" || ours.written < other.written);
        rows.push({
          section: "probe",
          metric: `${name} (${fmt(body.length / 1024)} KB), ${mode === "range" ? "Range honoured" : "no Range"}: latency, server wrote (requests)`,
          ours: `${fmt(ours.ms)} ms, ${kb(ours.written)} (${ours.requests})`,
          baseline: `probe-image-size ${fmt(other.ms)} ms, ${kb(other.written)} (${other.requests}); full download ${fmt(full.ms)} ms, ${kb(full.written)}`,
          ratio: `${fmt(ours.ms / other.ms, 2)}× time, ${fmt(ours.written / Math.max(1, other.written), 2)}× bytes of probe-image-size`,
          target: mode === "range" ? "≤ probe-image-size's time, fewer bytes" : "≤ probe-image-size's time",
          met: met ? "yes" : "no",
        });
      }
    }
  } finally {
    await link.close();
    await origin.close();
  }
  return rows;
}

/** The whole file, on a connection of its own. */
function download(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let n = 0;
      res.on("data", (c: Buffer) => (n += c.length));
      res.on("end", () => resolve(n));
      res.on("error", reject);
    }).on("error", reject);
  });
}
