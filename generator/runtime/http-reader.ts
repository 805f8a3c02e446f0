/**
 * A ByteReader over HTTP answers. With Range support (206) it serves reads from the current window
 * as its bytes arrive and asks for a new window, on the same kept-alive connection, when a parser
 * jumps past it (a 1 MB ICC profile costs one more round trip, not a megabyte). Without Range
 * support (200) it reads the stream forward and drops what it passed. Every byte received counts
 * against `maxBytes`.
 */
import { ProbeError, concatBytes, streamReader, type ByteReader } from "./byte-reader.js";
import { contentRange, declaredLength, type HttpAnswer } from "./http-transport.js";

export interface HttpReader extends ByteReader {
  /** Whether the server honoured the first Range request. */
  readonly rangeRequests: boolean;
}

/** Unread rest of a window that is read to its end (keeping the connection) before the next request; more is dropped with the connection. */
const DRAIN_LIMIT = 64 * 1024;

interface Window {
  start: number;
  /** Offset after the window's last byte (Infinity: to the end of the stream). */
  end: number;
  bytes: Uint8Array;
  answer: HttpAnswer;
  done: boolean;
}

/**
 * `first` answered a request for bytes from 0; `requestRange(offset, length)` asks for more.
 * `minWindow` is the least a later range request asks for.
 * One closure on purpose: the byte count, the current window and the forward-only stream are one
 * reader's state, shared by its methods; split apart they would be passed back and forth by hand.
 */
export function httpReader(
  first: HttpAnswer,
  requestRange: (offset: number, length: number) => Promise<HttpAnswer>,
  maxBytes: number,
  minWindow: number,
): HttpReader {
  let received = 0;
  const count = (n: number) => {
    received += n;
    if (received > maxBytes)
      throw new ProbeError(`read more than the ${maxBytes}-byte cap without finding what was needed`, "too-large");
  };
  const chunksOf = (answer: HttpAnswer): AsyncIterator<Uint8Array> => ({
    async next() {
      const chunk = await answer.read();
      if (!chunk) return { done: true, value: undefined };
      count(chunk.length);
      return { done: false, value: chunk };
    },
  });

  let current = first;
  /** Forward-only reading of a whole-body answer (no Range support). */
  let stream: ByteReader | undefined;
  let total: number | undefined;
  let window: Window | undefined;
  const ranged = first.status === 206;
  if (ranged) {
    const range = contentRange(first.header("content-range"));
    total = range?.total;
    // A browser may hide Content-Range (not CORS-safelisted): the window then starts where it was asked to.
    const length = declaredLength(first);
    window = {
      start: range?.start ?? 0,
      end: range ? range.end + 1 : length !== undefined ? length : Infinity,
      bytes: new Uint8Array(0),
      answer: first,
      done: false,
    };
  } else {
    total = declaredLength(first);
    stream = streamReader(chunksOf(first), { size: total, maxBytes: Infinity });
  }

  const fill = async (w: Window, until: number) => {
    const parts = [w.bytes];
    let have = w.start + w.bytes.length;
    while (!w.done && have < until) {
      const chunk = await w.answer.read();
      if (!chunk) {
        w.done = true;
        break;
      }
      count(chunk.length);
      parts.push(chunk);
      have += chunk.length;
    }
    if (parts.length > 1) w.bytes = concatBytes(parts);
  };

  /** Finishes the current answer before the next request: a short rest is read (the connection is reused), a long one dropped. */
  const retire = async (w: Window) => {
    if (w.done) return;
    if (w.end - (w.start + w.bytes.length) <= DRAIN_LIMIT) {
      try {
        while (await w.answer.read()) {
          // Bytes drained are bytes on the wire, but a window is bounded: they are not held.
        }
        w.done = true;
        return;
      } catch {
        // fall through: drop the connection
      }
    }
    w.done = true;
    w.answer.close();
  };

  const openWindow = async (offset: number, length: number) => {
    if (total !== undefined && offset >= total) {
      // Past the end: nothing to ask for, but the answer being read is finished first (its connection reused).
      await retire(window!);
      window = { start: offset, end: offset, bytes: new Uint8Array(0), answer: current, done: true };
      return;
    }
    const want = Math.max(length, minWindow);
    if (received + want > maxBytes)
      throw new ProbeError(`read more than the ${maxBytes}-byte cap without finding what was needed`, "too-large");
    await retire(window!);
    current = await requestRange(offset, want);
    if (current.status === 200) {
      // The server stopped honouring Range: read this whole-body answer forward from byte 0.
      stream = streamReader(chunksOf(current), { size: declaredLength(current), maxBytes: Infinity });
      window = undefined;
      return;
    }
    const range = current.status === 206 ? contentRange(current.header("content-range")) : undefined;
    if (current.status !== 206 || (range && range.start !== offset)) {
      current.close();
      throw new ProbeError(
        `the server answered a range request with HTTP ${current.status}${range ? ` for bytes from ${range.start}` : ""}`,
        "http",
        current.status,
      );
    }
    total ??= range?.total;
    window = {
      start: offset,
      end: range ? range.end + 1 : offset + (declaredLength(current) ?? want),
      bytes: new Uint8Array(0),
      answer: current,
      done: false,
    };
  };

  const get = async (offset: number, length: number, exact: boolean): Promise<Uint8Array> => {
    if (!stream) {
      const w = window!;
      const atEnd = total !== undefined && w.end >= total;
      if (offset < w.start || offset > w.end || (offset + length > w.end && !atEnd)) await openWindow(offset, length);
    }
    if (stream) return exact ? stream.read(offset, length) : stream.peek(offset, length);
    const w = window!;
    await fill(w, offset + length);
    const from = offset - w.start;
    const part = w.bytes.subarray(from, Math.min(w.bytes.length, from + length));
    if (exact && part.length < length)
      throw new ProbeError(
        `data is truncated: needed bytes ${offset}–${offset + length - 1} but it ends at byte ${w.start + w.bytes.length}`,
        "truncated",
      );
    return part;
  };

  return {
    rangeRequests: ranged,
    read: (offset, length) => get(offset, length, true),
    peek: (offset, length) => get(offset, length, false),
    size: () => (stream ? stream.size() : total),
    bytesRead: () => received,
    // Counting the rest of a ranged file would cost a request per window: its size comes from Content-Range or stays unknown.
    countable: () => stream !== undefined,
    close: async () => current.close(),
  };
}
