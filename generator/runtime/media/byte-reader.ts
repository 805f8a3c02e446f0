/**
 * Random-access byte readers over the places media can come from. Parsers ask for exact ranges;
 * a reader never hands out bytes past what it has (a partial buffer is never read past its end).
 */
import { RunComfyError } from "../errors.js";

/** Media that could not be measured, with why (`code`); part of the package's one error hierarchy. */
export class ProbeError extends RunComfyError {
  override name = "ProbeError";
  constructor(
    message: string,
    readonly code:
      | "truncated"
      | "unsupported"
      | "unmeasured-format"
      | "corrupt"
      | "too-large"
      | "timeout"
      | "network"
      | "http"
      | "refused"
      | "redirects"
      | "aborted",
    /** The media host's HTTP status, for code "http". */
    status?: number,
  ) {
    super(message, { status });
  }
}

/** The parts, one after another, in one array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ByteReader {
  /** Exactly `length` bytes at `offset`; ProbeError("truncated") if the data ends first. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Up to `length` bytes at `offset` (fewer at the end of the data). */
  peek(offset: number, length: number): Promise<Uint8Array>;
  /** Total size in bytes when known. */
  size(): number | undefined;
  /** Bytes actually fetched so far (for benchmarks and byte caps). */
  bytesRead(): number;
  /** False when reading to the end to count bytes would cost a request per window (the size then stays unknown). Default true. */
  countable?(): boolean;
  close(): Promise<void>;
}

/** The error for a read of `length` bytes at `offset` from data that ends at byte `have`. */
export const truncated = (offset: number, length: number, have: number) =>
  new ProbeError(
    `data is truncated: needed bytes ${offset}–${offset + length - 1} but it ends at byte ${have}`,
    "truncated",
  );

export function bytesReader(bytes: Uint8Array): ByteReader {
  let touched = 0;
  return {
    async read(offset, length) {
      if (offset + length > bytes.length) throw truncated(offset, length, bytes.length);
      touched = Math.max(touched, offset + length);
      return bytes.subarray(offset, offset + length);
    },
    async peek(offset, length) {
      const end = Math.min(bytes.length, offset + length);
      touched = Math.max(touched, end);
      return bytes.subarray(Math.min(offset, end), end);
    },
    size: () => bytes.length,
    bytesRead: () => touched,
    close: async () => {},
  };
}

export function blobReader(blob: Blob): ByteReader {
  let fetched = 0;
  const slice = async (offset: number, length: number) => {
    const end = Math.min(blob.size, offset + length);
    const part = new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    fetched += part.length;
    return part;
  };
  return {
    async read(offset, length) {
      const part = await slice(offset, length);
      if (part.length < length) throw truncated(offset, length, offset + part.length);
      return part;
    },
    peek: slice,
    size: () => blob.size,
    bytesRead: () => fetched,
    close: async () => {},
  };
}

/**
 * A forward-only reader over a stream of chunks. Bytes before the last requested offset are dropped,
 * so skipping a large segment (a 1 MB ICC profile) costs no memory. `maxBytes` caps what it pulls.
 */
export function streamReader(
  chunks: AsyncIterator<Uint8Array>,
  options: { size?: number; maxBytes: number; onClose?: () => Promise<void> | void },
): ByteReader {
  let base = 0; // offset of buffer[0]
  let buffer = new Uint8Array(0);
  let received = 0;
  let ended = false;
  /** Pulls chunks until the buffer reaches `until`, keeping only bytes from `from` on (a skipped segment is never copied). */
  const pull = async (from: number, until: number) => {
    dropBefore(from);
    const parts: Uint8Array[] = [buffer];
    let have = base + buffer.length;
    while (!ended && have < until) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      received += next.value.length;
      if (received > options.maxBytes)
        throw new ProbeError(
          `read more than the ${options.maxBytes}-byte cap without finding what was needed`,
          "too-large",
        );
      const chunk = next.value;
      have += chunk.length;
      if (have <= from) base = have;
      else {
        // A chunk across `from` (the buffer is empty then): keep its part from `from` on.
        const skip = Math.max(0, chunk.length - (have - from));
        if (skip) base = from;
        parts.push(chunk.subarray(skip));
      }
    }
    if (parts.length > 1) buffer = concatBytes(parts);
  };
  const dropBefore = (offset: number) => {
    if (offset > base) {
      const drop = Math.min(offset - base, buffer.length);
      buffer = buffer.subarray(drop);
      base += drop;
    }
  };
  const get = async (offset: number, length: number, exact: boolean) => {
    if (offset < base)
      throw new Error(`stream reader is forward-only: asked for ${offset} after dropping up to ${base}`);
    await pull(offset, offset + length);
    const available = offset >= base ? Math.max(0, Math.min(length, base + buffer.length - offset)) : 0;
    if (exact && available < length) throw truncated(offset, length, base + buffer.length);
    return buffer.slice(offset - base, offset - base + available);
  };
  return {
    read: (offset, length) => get(offset, length, true),
    peek: (offset, length) => get(offset, length, false),
    size: () => options.size,
    bytesRead: () => received,
    close: async () => {
      await options.onClose?.();
    },
  };
}

/** Reads a stream to its end only to count its bytes (for sizes no header declared), up to a cap. */
export async function countRemaining(reader: ByteReader, from: number, maxBytes: number): Promise<number> {
  let offset = from;
  const step = 64 * 1024;
  while (true) {
    if (offset > maxBytes) throw new ProbeError(`larger than the ${maxBytes}-byte cap`, "too-large");
    const part = await reader.peek(offset, step);
    offset += part.length;
    if (part.length < step) return offset;
  }
}
