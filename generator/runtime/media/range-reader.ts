/**
 * A ByteReader over HTTP answers. With Range support (206) it serves reads from the first window as
 * its bytes arrive; a read past that window opens one open-ended range (`bytes=N-`) on the same
 * kept-alive connection, read forward as a stream (bytes a parser skips are not kept) and cancelled
 * when the reader is closed: a header however far in, behind however many segments, costs at most
 * one more round trip. Without Range support (200) it reads the stream forward and drops what it
 * passed. Every byte received counts against `maxBytes`.
 */
import { ProbeError, concatBytes, streamReader, truncated, type ByteReader } from "./byte-reader.js";
import { contentRange, declaredLength, type HttpAnswer } from "./media-fetch.js";

export interface HttpReader extends ByteReader {
  /** Whether the server honoured the first Range request. */
  readonly rangeRequests: boolean;
}

/** Unread rest of the first window that is read to its end (keeping the connection) before the next request; more is dropped with the connection. */
const DRAIN_LIMIT = 64 * 1024;

/** The first answer's bytes, kept: parsers read them in any order. */
interface Window {
  start: number;
  /** Offset after the window's last byte (Infinity: to the end of the stream). */
  end: number;
  bytes: Uint8Array;
  answer: HttpAnswer;
  done: boolean;
}

/** An open-ended range read forward: `reader`'s offset 0 is the file's `start`; bytes before `next` are dropped. */
interface Tail {
  start: number;
  next: number;
  reader: ByteReader;
  answer: HttpAnswer;
}

/**
 * `first` answered a request for bytes from 0; `requestFrom(offset)` asks for the bytes from `offset`
 * to the end.
 * One closure on purpose: the byte count, the first window and the stream after it are one reader's
 * state, shared by its methods; split apart they would be passed back and forth by hand.
 */
export function httpReader(
  first: HttpAnswer,
  requestFrom: (offset: number) => Promise<HttpAnswer>,
  maxBytes: number,
): HttpReader {
  let received = 0;
  const tooLarge = () =>
    new ProbeError(`read more than the ${maxBytes}-byte cap without finding what was needed`, "too-large");
  const count = (n: number) => {
    received += n;
    if (received > maxBytes) throw tooLarge();
  };
  const chunksOf = (answer: HttpAnswer): AsyncIterator<Uint8Array> => ({
    async next() {
      const chunk = await answer.read();
      if (!chunk) return { done: true, value: undefined };
      count(chunk.length);
      return { done: false, value: chunk };
    },
  });

  /** Forward-only reading of a whole-body answer (no Range support). */
  let stream: ByteReader | undefined;
  let streamAnswer: HttpAnswer | undefined;
  let total: number | undefined;
  let window: Window | undefined;
  let tail: Tail | undefined;
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
    streamAnswer = first;
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

  /** Finishes the first answer before the next request: a short rest is read and kept (the connection is reused), a long one dropped. */
  const retire = async (w: Window) => {
    if (w.done) return;
    if (w.end - (w.start + w.bytes.length) <= DRAIN_LIMIT) {
      try {
        await fill(w, w.end);
        // The answer's end too: only then is its connection free for the next request.
        while (!w.done && (await w.answer.read())) {
          // Bytes past the window's declared end: none from a server that honours Range.
        }
        w.done = true;
        return;
      } catch (e) {
        if (e instanceof ProbeError && e.code === "too-large") throw e;
        // fall through: drop the connection
      }
    }
    w.done = true;
    w.end = w.start + w.bytes.length;
    w.answer.close();
  };

  /** The open-ended range from `offset` (the one before it, if any, cancelled). */
  const openTail = async (offset: number, length: number) => {
    if (received + length > maxBytes) throw tooLarge();
    if (window) await retire(window);
    tail?.answer.close();
    tail = undefined;
    const answer = await requestFrom(offset);
    if (answer.status === 200) {
      // The server stopped honouring Range: read this whole-body answer forward from byte 0.
      stream = streamReader(chunksOf(answer), { size: declaredLength(answer), maxBytes: Infinity });
      streamAnswer = answer;
      return;
    }
    const range = answer.status === 206 ? contentRange(answer.header("content-range")) : undefined;
    if (answer.status !== 206 || (range && range.start !== offset)) {
      answer.close();
      throw new ProbeError(
        `the server answered a range request with HTTP ${answer.status}${range ? ` for bytes from ${range.start}` : ""}`,
        "http",
        answer.status,
      );
    }
    total ??= range?.total;
    tail = { start: offset, next: offset, answer, reader: streamReader(chunksOf(answer), { maxBytes: Infinity }) };
  };

  const get = async (offset: number, length: number, exact: boolean): Promise<Uint8Array> => {
    const w = window;
    if (!stream && w) {
      const atEnd = total !== undefined && w.end >= total;
      if (offset >= w.start && offset <= w.end && (offset + length <= w.end || atEnd)) {
        await fill(w, offset + length);
        const from = offset - w.start;
        const part = w.bytes.subarray(from, Math.min(w.bytes.length, from + length));
        if (exact && part.length < length) throw truncated(offset, length, w.start + w.bytes.length);
        return part;
      }
      if (total !== undefined && offset >= total) {
        if (exact) throw truncated(offset, length, total);
        return new Uint8Array(0);
      }
      if (!tail || offset < tail.next) await openTail(offset, length);
    }
    if (stream) return exact ? stream.read(offset, length) : stream.peek(offset, length);
    const t = tail!;
    t.next = offset;
    return exact ? t.reader.read(offset - t.start, length) : t.reader.peek(offset - t.start, length);
  };

  return {
    rangeRequests: ranged,
    read: (offset, length) => get(offset, length, true),
    peek: (offset, length) => get(offset, length, false),
    size: () => (stream ? stream.size() : total),
    bytesRead: () => received,
    // Counting the rest of a ranged file would read it all: its size comes from Content-Range or stays unknown.
    countable: () => stream !== undefined,
    close: async () => {
      window?.answer.close();
      tail?.answer.close();
      streamAnswer?.close();
    },
  };
}
