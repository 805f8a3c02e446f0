/**
 * Probing image dimensions over a simulated link (bench/link.ts: a round trip of RTT_MS, BANDWIDTH
 * each way, a handshake round trip per new connection, packets of one TCP segment): the latency the
 * user waits and the bytes the server wrote to its sockets, for the project's probe, probe-image-size
 * and a full download, with a server that honours Range and one that does not; beside them the floor
 * (what any client must spend: probe-floor.ts). Behind the link, two servers: the bench's own
 * counting origin, and nginx (a real web server no one here wrote, keeping connections alive 65 s;
 * its access log gives the bytes it wrote and the requests). Every measurement starts without a warm
 * connection; the sides are measured in interleaved rounds. Traffic stays on 127.0.0.1.
 */
import { Agent, get } from "node:http";
import probeImageSize from "probe-image-size";
import { avif, gif, jpeg, png, webpLossy } from "../../generator/mock/images.js";
import { probeMedia } from "../../generator/runtime/media/probe.js";
import { startNginx } from "../../generator/mock/nginx.js";
import { startCountingOrigin, startLink, type CountingOrigin } from "../link.js";
import { fmt, median, type Row } from "../stats.js";
import { computedFloorMs, medianInterval, neededRanges, oracleProbe } from "./probe-floor.js";

export const LINK = { rttMs: 50, bytesPerSecond: 2_500_000 };
/** Rounds per image and server mode, each measuring every side once. */
export const probeRounds = (runs: number) => runs * 4;

const kb = (n: number) => (n < 10_240 ? `${fmt(n)} B` : `${fmt(n / 1024)} KB`);
const signed = (n: number) => `${n > 0 ? "+" : n < 0 ? "−" : "±"}${fmt(Math.abs(n))}`;

interface Sample {
  ms: number;
  written: number;
  requests: number;
}

/** nginx as the bench's origin: the same paths (/range/<name>, /norange/<name>), bytes and requests from its access log. */
async function nginxOrigin(): Promise<CountingOrigin> {
  const nginx = await startNginx();
  const lines = () => nginx.log();
  return {
    port: nginx.port,
    add: (name, body) => nginx.add(name, body),
    bytesWritten: () => lines().reduce((n, l) => n + l.bytesSent, 0),
    requests: () => lines().length,
    reset: () => nginx.reset(),
    close: () => nginx.close(),
  };
}

export async function benchProbe(runs: number, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [server, start] of [
    ["", startCountingOrigin],
    ["nginx: ", nginxOrigin],
  ] as const)
    rows.push(...(await benchProbeOn(server, await start(), runs, log)));
  return rows;
}

async function benchProbeOn(
  server: string,
  origin: CountingOrigin,
  runs: number,
  log: (s: string) => void,
): Promise<Row[]> {
  const link = await startLink(origin.port, LINK);
  const images: [string, Uint8Array, string][] = [
    ["JPEG", jpeg(1920, 1080, { totalBytes: 400_000 }), "image/jpeg"],
    // A camera photo: EXIF with its thumbnail before the frame header.
    ["JPEG, 24 KB EXIF before the frame", jpeg(4032, 3024, { exifBytes: 24_000, totalBytes: 2_500_000 }), "image/jpeg"],
    [
      "JPEG, 1 MB ICC profile before the frame",
      jpeg(4000, 3000, { iccBytes: 1024 * 1024, totalBytes: 2_000_000 }),
      "image/jpeg",
    ],
    [
      // The profile's own header does not give its size: its 16 segments are walked, as probe-image-size walks them.
      "JPEG, 1 MB ICC profile whose header gives no size",
      jpeg(4000, 3000, {
        iccBytes: 1_000_000,
        iccChunkBytes: 65_519,
        iccDeclaredBytes: 0x009e3cda,
        totalBytes: 2_000_000,
      }),
      "image/jpeg",
    ],
    ["PNG", png(1920, 1080, { totalBytes: 600_000 }), "image/png"],
    ["WebP", webpLossy(1920, 1080, { totalBytes: 300_000 }), "image/webp"],
    ["GIF", gif(640, 480, { totalBytes: 300_000 }), "image/gif"],
    ["AVIF", avif(1920, 1080, { totalBytes: 300_000 }), "image/avif"],
  ];
  const rows: Row[] = [];
  const rounds = probeRounds(runs);
  try {
    images.forEach(([, body, type], i) => origin.add(`img${i}`, body, type));
    for (const [i, [name, body]] of images.entries()) {
      for (const mode of ["range", "norange"] as const) {
        log(`probe over the link: ${server}${name}, ${mode === "range" ? "Range honoured" : "no Range"}…`);
        const path = `/${mode}/img${i}`;
        const url = `http://127.0.0.1:${link.port}${path}`;
        const ranges = await neededRanges(body, mode === "range", LINK);
        const once = async (fn: () => Promise<unknown>): Promise<Sample> => {
          link.dropConnections();
          origin.reset();
          link.reset();
          const t0 = performance.now();
          await fn();
          const ms = performance.now() - t0;
          // Let what the server already sent reach the counters, then close.
          await new Promise((resolve) => setTimeout(resolve, LINK.rttMs * 2));
          return { ms, written: origin.bytesWritten(), requests: origin.requests() };
        };
        const sides = {
          ours: () => probeMedia(url, "image", { dimensions: true, size: true }, { allowPrivateNetwork: true }),
          // A fresh connection per measurement on every side: the link drops connections between them.
          other: () => probeImageSize(url, { agent: new Agent({ keepAlive: false }) } as never),
          floor: () => oracleProbe(link.port, path, ranges),
          full: () => download(url),
        };
        const samples = { ours: [] as Sample[], other: [] as Sample[], floor: [] as Sample[], full: [] as Sample[] };
        const names = Object.keys(sides) as (keyof typeof sides)[];
        for (let r = 0; r < rounds; r++) {
          // Every side once a round, the order rotating; the full download (context only) in the first rounds.
          for (let k = 0; k < names.length; k++) {
            const side = names[(k + r) % names.length];
            if (side === "full" && r >= runs) continue;
            samples[side].push(await once(sides[side]));
          }
        }
        const m = (side: keyof typeof samples, key: keyof Sample) => median(samples[side].map((s) => s[key]));
        const diff = medianInterval(samples.ours.map((s, r) => s.ms - samples.other[r].ms));
        const toFloor = m("ours", "ms") - m("floor", "ms");
        const fewerBytes = mode === "norange" || m("ours", "written") < m("other", "written");
        // Not slower: faster in the median, or a tie this many rounds cannot tell apart (the interval holds 0).
        const notSlower = diff.median <= 0 || diff.low <= 0;
        rows.push({
          section: "probe",
          metric: `${server}${name} (${fmt(body.length / 1024)} KB), ${mode === "range" ? "Range honoured" : "no Range"}: latency, server wrote (requests); floor`,
          ours: `${fmt(m("ours", "ms"))} ms, ${kb(m("ours", "written"))} (${m("ours", "requests")}); ${signed(toFloor)} ms to the measured floor`,
          baseline:
            `probe-image-size ${fmt(m("other", "ms"))} ms, ${kb(m("other", "written"))} (${m("other", "requests")}); ` +
            `floor ${fmt(computedFloorMs(ranges, LINK))} ms by the link's arithmetic, ${fmt(m("floor", "ms"))} ms measured (${kb(m("floor", "written"))}, ${ranges.length} request${ranges.length > 1 ? "s" : ""}); ` +
            `full download ${fmt(m("full", "ms"))} ms, ${kb(m("full", "written"))}`,
          ratio:
            `${fmt(m("ours", "ms") / m("other", "ms"), 2)}× time (ours − probe-image-size ${signed(diff.median)} ms, 95% interval ${signed(diff.low)}…${signed(diff.high)}, ${rounds} rounds), ` +
            `${fmt(m("ours", "written") / Math.max(1, m("other", "written")), 2)}× bytes`,
          target: mode === "range" ? "≤ probe-image-size's time, fewer bytes" : "≤ probe-image-size's time",
          met: notSlower && fewerBytes ? "yes" : "no",
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
