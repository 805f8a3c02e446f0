/**
 * Measures media without downloading it: byte size and, for images, width and height. Uses only
 * web-standard APIs (fetch, AbortController, URL, Blob), so it runs wherever the client runs.
 * Over HTTP it asks for small byte ranges and jumps over segments it does not need; without Range
 * support it streams and stops as soon as the header is read. Bounded by a timeout, a byte cap and a
 * redirect limit; private, loopback and link-local addresses are refused unless allowed.
 */
import { ProbeError, blobReader, bytesReader, concatBytes, countRemaining, streamReader, type ByteReader } from "./byte-reader.js";
import { readImageHeader, type ImageFormat } from "./image-header.js";
import { isIpLiteral, isPrivateAddress } from "./net-policy.js";
import { runsOnNode, smallReadFetch } from "./small-read-fetch.js";
import type { MediaKind } from "./rule-types.js";

export { ProbeError } from "./byte-reader.js";

export interface ProbeOptions {
  /** Allow loopback, private and link-local addresses (local development, tests). Default false. */
  allowPrivateNetwork?: boolean;
  /** Overall time for one probe. Default 10 000 ms. */
  timeoutMs?: number;
  /** Most bytes one probe may pull. Default 8 MiB. */
  maxBytes?: number;
  /** Most redirects followed. Default 5. */
  maxRedirects?: number;
  /** The fetch to use. Default: under Node, a transport that reads 4 KiB at a time (small-read-fetch.ts); elsewhere the global fetch. */
  fetch?: typeof fetch;
  /** Resolves a host name to addresses for the private-network check. Default: Node's DNS where available. */
  resolveHost?: (hostname: string) => Promise<string[]>;
  signal?: AbortSignal;
}

export type MediaSource = string | URL | Uint8Array | Blob;

export interface ProbeResult {
  format?: ImageFormat;
  width?: number;
  height?: number;
  sizeBytes?: number;
  /** Bytes actually received. */
  bytesRead: number;
  /** Whether the server honoured Range requests (HTTP only). */
  rangeRequests?: boolean;
}

export interface ProbeNeeds {
  dimensions: boolean;
  size: boolean;
}

/** First request: enough for every header but JPEGs with large segments in front of the frame. */
const WINDOW = 4096;
/** Later requests jump over segments and need only a marker and a length each: keep them small. */
const JUMP_WINDOW = 1024;
export const PROBE_DEFAULTS = Object.freeze({ timeoutMs: 10_000, maxBytes: 8 * 1024 * 1024, maxRedirects: 5 });

/** Measure one media source. `kind` decides whether dimensions are read (images, or media of unknown kind). */
export async function probeMedia(source: MediaSource, kind: MediaKind | null, needs: ProbeNeeds, options: ProbeOptions = {}): Promise<ProbeResult> {
  if (typeof source === "string" && source.startsWith("data:")) return measure(bytesReader(decodeDataUri(source)), kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
  if (typeof source === "string" || source instanceof URL) return probeUrl(String(source), kind, needs, options);
  const reader = source instanceof Uint8Array ? bytesReader(source) : blobReader(source);
  return measure(reader, kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
}

/** The bytes of a `data:` URI (base64 or percent-encoded). */
export function decodeDataUri(uri: string): Uint8Array {
  const comma = uri.indexOf(",");
  if (comma < 0) throw new ProbeError("malformed data URI (no comma)", "corrupt");
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  try {
    if (/;base64$/i.test(meta)) {
      const binary = atob(payload.replace(/\s+/g, ""));
      return Uint8Array.from(binary, (c) => c.charCodeAt(0));
    }
    return new TextEncoder().encode(decodeURIComponent(payload));
  } catch {
    throw new ProbeError("malformed data URI (bad encoding)", "corrupt");
  }
}

/** Reads what is needed from an open reader, then closes it. */
export async function measure(reader: ByteReader, kind: MediaKind | null, needs: ProbeNeeds, maxBytes: number): Promise<ProbeResult> {
  try {
    const result: ProbeResult = { bytesRead: 0 };
    if (needs.dimensions && (kind === "image" || kind === null)) {
      const header = await readImageHeader(reader);
      Object.assign(result, header);
    }
    result.sizeBytes = reader.size();
    // No declared size: count the rest of the stream (from what was already pulled), within the cap.
    if (needs.size && result.sizeBytes === undefined) result.sizeBytes = await countRemaining(reader, reader.bytesRead(), maxBytes);
    result.bytesRead = reader.bytesRead();
    return result;
  } finally {
    await reader.close();
  }
}

let defaultResolver: Promise<((host: string) => Promise<string[]>) | undefined> | undefined;
/** Node's DNS, loaded only when running under Node; elsewhere no resolver (the platform sandboxes requests). */
function nodeResolver(): Promise<((host: string) => Promise<string[]>) | undefined> {
  if (!runsOnNode()) return Promise.resolve(undefined);
  defaultResolver ??= (async () => {
    const specifier = "node:dns/promises";
    const dns = (await import(/* @vite-ignore */ specifier)) as typeof import("node:dns/promises");
    return async (host: string) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  })();
  return defaultResolver;
}

async function assertAllowed(url: URL, options: ProbeOptions): Promise<void> {
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ProbeError(`only http(s) URLs can be probed, not ${url.protocol}`, "refused");
  if (options.allowPrivateNetwork) return;
  const host = url.hostname;
  if (isIpLiteral(host)) {
    if (isPrivateAddress(host)) throw new ProbeError(`refused to contact private address ${host} (set allowPrivateNetwork to allow)`, "refused");
    return;
  }
  const resolve = options.resolveHost ?? (await nodeResolver());
  if (!resolve) return;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (e) {
    throw new ProbeError(`cannot resolve ${host}: ${(e as Error).message}`, "network");
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new ProbeError(`refused to contact ${host}: it resolves to private address ${bad} (set allowPrivateNetwork to allow)`, "refused");
}

/** Parses `bytes a-b/total`. */
function contentRange(header: string | null): { start: number; end: number; total?: number } | undefined {
  const m = header && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

async function probeUrl(raw: string, kind: MediaKind | null, needs: ProbeNeeds, options: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? PROBE_DEFAULTS.maxBytes;
  const maxRedirects = options.maxRedirects ?? PROBE_DEFAULTS.maxRedirects;
  // Under Node a transport that reads 4 KiB at a time (a server ignoring Range then costs the header
  // plus at most 4 KiB, not a 64 KiB socket read); elsewhere the platform's fetch.
  const doFetch: (url: URL, init: { headers: Record<string, string>; redirect: "manual"; signal: AbortSignal }) => Promise<Response> = options.fetch ?? (runsOnNode() ? smallReadFetch : globalThis.fetch);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let received = 0;
  const open: ReadableStreamDefaultReader<Uint8Array>[] = [];

  const get = async (url: URL, range: string | undefined) => {
    await assertAllowed(url, options);
    return doFetch(url, { headers: range ? { range } : {}, redirect: "manual", signal: controller.signal });
  };
  /** Reads a whole (small, range-limited) body, counting and capping bytes. */
  const readBody = async (res: Response, limit: number) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const r = res.body?.getReader();
    if (!r) return new Uint8Array(0);
    open.push(r);
    while (true) {
      const { done, value } = await r.read();
      if (done) break;
      total += value.length;
      received += value.length;
      chunks.push(value);
      if (total > limit) {
        await r.cancel().catch(() => {});
        break;
      }
    }
    return concatBytes(chunks);
  };

  try {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ProbeError(`not a URL: ${JSON.stringify(raw.slice(0, 200))}`, "refused");
    }
    let res: Response | undefined;
    for (let hops = 0; ; hops++) {
      res = await get(url, `bytes=0-${WINDOW - 1}`);
      if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
        await res.body?.cancel().catch(() => {});
        if (hops >= maxRedirects) throw new ProbeError(`more than ${maxRedirects} redirects`, "redirects");
        url = new URL(res.headers.get("location")!, url);
        continue;
      }
      break;
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel().catch(() => {});
      throw new ProbeError(`the server answered HTTP ${res.status}`, "http");
    }
    let reader: ByteReader;
    const rangeRequests = res.status === 206;
    if (rangeRequests) {
      const first = contentRange(res.headers.get("content-range"));
      const total = first?.total;
      let windowStart = first?.start ?? 0;
      let window = await readBody(res, WINDOW);
      const finalUrl = url;
      const fetchWindow = async (offset: number, length: number) => {
        if (total !== undefined && offset >= total) return;
        const want = Math.max(length, JUMP_WINDOW);
        if (received + want > maxBytes) throw new ProbeError(`read more than the ${maxBytes}-byte cap without finding what was needed`, "too-large");
        const r = await get(finalUrl, `bytes=${offset}-${offset + want - 1}`);
        const cr = contentRange(r.headers.get("content-range"));
        if (r.status !== 206 || !cr || cr.start !== offset) {
          await r.body?.cancel().catch(() => {});
          throw new ProbeError(`the server stopped honouring Range requests (HTTP ${r.status})`, "http");
        }
        windowStart = offset;
        window = await readBody(r, want);
      };
      const slice = async (offset: number, length: number, exact: boolean) => {
        if (offset < windowStart || offset + length > windowStart + window.length) await fetchWindow(offset, length);
        const from = offset - windowStart;
        const part = from >= 0 ? window.subarray(from, Math.min(window.length, from + length)) : new Uint8Array(0);
        if (exact && part.length < length) throw new ProbeError(`data is truncated: needed bytes ${offset}–${offset + length - 1}`, "truncated");
        return part;
      };
      reader = {
        read: (o, l) => slice(o, l, true),
        peek: (o, l) => slice(o, l, false),
        size: () => total,
        bytesRead: () => received,
        close: async () => {},
      };
    } else {
      const declared = res.headers.get("content-length");
      const size = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
      const body = res.body?.getReader();
      if (body) open.push(body);
      const chunks: AsyncIterator<Uint8Array> = {
        next: async () => {
          if (!body) return { done: true, value: undefined };
          const r = await body.read();
          if (!r.done) received += r.value.length;
          return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
        },
      };
      const inner = streamReader(chunks, { size, maxBytes });
      reader = { ...inner, bytesRead: () => received };
    }
    const result = await measure(reader, kind, needs, maxBytes);
    return { ...result, bytesRead: received, rangeRequests };
  } catch (e) {
    if (timedOut) throw new ProbeError(`no answer within ${timeoutMs} ms`, "timeout");
    if (options.signal?.aborted) throw new ProbeError("probe aborted", "aborted");
    if (e instanceof ProbeError) throw e;
    throw new ProbeError(`network error: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ""}`, "network");
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    // Close every connection promptly: cancel open bodies, then abort whatever is still in flight.
    await Promise.all(open.map((r) => r.cancel().catch(() => {})));
    controller.abort();
  }
}
