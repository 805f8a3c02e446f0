/**
 * The floor of a header probe over the bench's link: what any client must spend to learn an image's
 * dimensions. A client needs the bytes the header parser reads (the format's signature and the
 * fields up to the dimensions, and for a JPEG every segment header before the frame); with Range it
 * can ask for just those, in one request unless a gap between them costs more to download than a
 * round trip (a 1 MB ICC profile: then one more request on the same connection, after the first
 * answer says where to jump); without Range it must let every byte before the last one it needs
 * cross the link. Two figures: the link's arithmetic (connection round trip, then per request a
 * round trip and the transmission of request and answer), and a measured floor: a raw-socket
 * client that knows in advance which bytes it needs, run through the same link under the same load.
 */
import { connect } from "node:net";
import { bytesReader, type ByteReader } from "../../generator/runtime/media/byte-reader.js";
import { readImageHeader } from "../../generator/runtime/media/image-header.js";
import { SEGMENT_BYTES, type LinkOptions } from "../link.js";

/** Half-open byte ranges [start, end) of the file. */
export type ByteRange = [start: number, end: number];

/** About what one side adds per request and per answer (request line and headers; status line and headers). */
const REQUEST_HEAD_BYTES = 100;
const ANSWER_HEAD_BYTES = 200;

/**
 * The ranges a client must fetch: the bytes the header parser reads exactly (not its look-ahead),
 * merged; with Range, split where a gap is longer than the link carries in one round trip.
 */
export async function neededRanges(body: Uint8Array, ranged: boolean, link?: LinkOptions): Promise<ByteRange[]> {
  const inner = bytesReader(body);
  const reads: ByteRange[] = [[0, Math.min(16, body.length)]]; // the signature
  const recording: ByteReader = {
    ...inner,
    read: (offset, length) => (reads.push([offset, offset + length]), inner.read(offset, length)),
  };
  await readImageHeader(recording);
  reads.sort((a, b) => a[0] - b[0]);
  const end = Math.max(...reads.map((r) => r[1]));
  if (!ranged) return [[0, end]];
  const worthARoundTrip = link ? (link.bytesPerSecond * link.rttMs) / 1000 : 125_000;
  const ranges: ByteRange[] = [];
  for (const [start, stop] of reads) {
    const last = ranges.at(-1);
    if (last && start - last[1] <= worthARoundTrip) last[1] = Math.max(last[1], stop);
    else ranges.push([start, stop]);
  }
  return ranges;
}

const transmitMs = (bytes: number, link: LinkOptions) =>
  ((Math.ceil(bytes / SEGMENT_BYTES) * SEGMENT_BYTES) / link.bytesPerSecond) * 1000;

/** The floor by the link's arithmetic: a round trip to connect, then a round trip and the transmission of each request and answer. */
export function computedFloorMs(ranges: ByteRange[], link: LinkOptions): number {
  return (
    link.rttMs +
    ranges.reduce(
      (ms, [start, end]) =>
        ms + link.rttMs + transmitMs(REQUEST_HEAD_BYTES, link) + transmitMs(ANSWER_HEAD_BYTES + end - start, link),
      0,
    )
  );
}

/**
 * A client that knows which bytes it needs: one connection through the link, each range asked for
 * exactly (or, without Range, the whole file read only until the last needed byte), then closed.
 */
export function oracleProbe(port: number, path: string, ranges: ByteRange[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const ranged = path.startsWith("/range/");
    let index = 0;
    let buffered = Buffer.alloc(0);
    const ask = () => {
      const [start, end] = ranges[index];
      const range = ranged ? `Range: bytes=${start}-${end - 1}\r\n` : "";
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${range}\r\n`);
    };
    socket.on("connect", ask);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const head = buffered.indexOf("\r\n\r\n");
      if (head < 0) return;
      const [start, end] = ranges[index];
      const needed = ranged ? end - start : end;
      if (buffered.length - (head + 4) < needed) return;
      index++;
      // An exact range's answer ends where its bytes do: the next answer starts with the next request.
      buffered = ranged ? buffered.subarray(head + 4 + needed) : Buffer.alloc(0);
      if (index < ranges.length) return ask();
      socket.destroy();
      resolve();
    });
    socket.on("error", reject);
  });
}

/**
 * The median of paired differences and a distribution-free interval holding the true median with at
 * least 95% confidence (order statistics of the binomial sign test); with fewer than 6 pairs, the range.
 */
export function medianInterval(values: number[]): { median: number; low: number; high: number } {
  const d = [...values].sort((a, b) => a - b);
  const n = d.length;
  const median = n % 2 ? d[n >> 1] : (d[n / 2 - 1] + d[n / 2]) / 2;
  // Largest k with P(Binomial(n, 1/2) < k) ≤ 2.5%: the interval is [d(k), d(n+1-k)] (1-based).
  let k = 0;
  let tail = 0;
  let term = 0.5 ** n; // P(X = 0)
  for (let j = 0; j < n; j++) {
    if (tail + term > 0.025) break;
    tail += term;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  if (k === 0) return { median, low: d[0], high: d[n - 1] };
  return { median, low: d[k - 1], high: d[n - k] };
}
