/**
 * Measures media without downloading it: byte size and, for images, width and height. Over HTTP it
 * asks for a generous first range (most images answer in one round trip); a header beyond it costs
 * one more request, open-ended from where the parser needs bytes, on the same connection, read
 * forward and cancelled once the header is read; without Range support it streams and stops as
 * soon as the header is read. One deadline bounds everything (DNS, connect, redirects,
 * reads); a byte cap and a redirect limit too. Under Node every connection goes only to addresses
 * the private-network policy has checked (media/node-media-fetch.ts); elsewhere the platform's fetch is used.
 */
import { ProbeError, blobReader, bytesReader, countRemaining, type ByteReader } from "./byte-reader.js";
import { readImageHeader, type ImageFormat } from "./image-header.js";
import { httpReader } from "./range-reader.js";
import {
  deadline,
  fetchTransport,
  getFollowing,
  runsInBrowser,
  runsOnNode,
  type AddressPolicy,
  type HttpAnswer,
  type Transport,
} from "./media-fetch.js";
import { dataUriReader } from "./data-uri.js";
import { nodeTransport } from "./node-media-fetch.js";
import type { MediaKind } from "../validation/rule-types.js";

export { ProbeError } from "./byte-reader.js";
export { decodeDataUri } from "./data-uri.js";

export interface ProbeOptions extends AddressPolicy {
  /** Allow loopback, private, link-local and other special-purpose addresses (local development, tests). Default false. */
  allowPrivateNetwork?: boolean;
  /** Follow a redirect from https to plain http. Default false. */
  allowHttp?: boolean;
  /** Overall time for one probe: DNS, connections, redirects and reads. Default 10 000 ms. */
  timeoutMs?: number;
  /** Most bytes one probe may pull. Default 8 MiB. */
  maxBytes?: number;
  /** Most redirects followed. Default 5. */
  maxRedirects?: number;
  /**
   * A fetch to use instead of the default transport. Under Node the default connects only to checked
   * addresses; a fetch of your own resolves names itself, so only the `resolveHost` answer is checked.
   */
  fetch?: typeof fetch;
  /** Resolves a host name to addresses for the private-network check. Default: the system resolver under Node. */
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

/** First range: bytes are cheap, round trips are not; this holds the header of nearly every image. */
export const FIRST_WINDOW = 64 * 1024;
export const PROBE_DEFAULTS = Object.freeze({ timeoutMs: 10_000, maxBytes: 8 * 1024 * 1024, maxRedirects: 5 });

/** Measure one media source. `kind` decides whether dimensions are read (images, or media of unknown kind). */
export async function probeMedia(
  source: MediaSource,
  kind: MediaKind | null,
  needs: ProbeNeeds,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  if (typeof source === "string" && source.startsWith("data:"))
    return measure(dataUriReader(source), kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
  if (typeof source === "string" || source instanceof URL) return probeUrl(String(source), kind, needs, options);
  const reader = source instanceof Uint8Array ? bytesReader(source) : blobReader(source);
  return measure(reader, kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
}

/**
 * Whether a failed probe settles the question (the host answered, or the URL is refused by policy)
 * or only shows that this client could not find out (network, timeout, CORS, 5xx/429, its own caps).
 */
export function isIndeterminate(error: ProbeError): boolean {
  switch (error.code) {
    case "timeout":
    case "network":
    case "too-large":
    case "aborted":
    case "unmeasured-format":
      return true;
    case "http":
      return (
        error.status === undefined ||
        error.status >= 500 ||
        error.status === 408 ||
        error.status === 425 ||
        error.status === 429
      );
    default:
      return false;
  }
}

/** Reads what is needed from an open reader, then closes it. */
export async function measure(
  reader: ByteReader,
  kind: MediaKind | null,
  needs: ProbeNeeds,
  maxBytes: number,
): Promise<ProbeResult> {
  try {
    const result: ProbeResult = { bytesRead: 0 };
    if (needs.dimensions && (kind === "image" || kind === null)) {
      const header = await readImageHeader(reader);
      Object.assign(result, header);
    }
    result.sizeBytes = reader.size();
    // No declared size: count the rest of the stream (from what was already pulled), within the cap.
    if (needs.size && result.sizeBytes === undefined && reader.countable?.() !== false)
      result.sizeBytes = await countRemaining(reader, reader.bytesRead(), maxBytes);
    result.bytesRead = reader.bytesRead();
    return result;
  } finally {
    await reader.close();
  }
}

/** The transport for this platform: pinned under Node, the platform's fetch elsewhere (or the caller's fetch). */
export async function openTransport(
  policy: AddressPolicy,
  signal: AbortSignal,
  fetchFn?: typeof fetch,
): Promise<Transport> {
  if (fetchFn) return fetchTransport(fetchFn, policy, signal);
  if (runsOnNode()) return nodeTransport(policy, signal);
  return fetchTransport((...args) => globalThis.fetch(...args), policy, signal);
}

/** A ProbeError for whatever ended a request: refusals and parse errors as they are, aborts as timeout or aborted. */
export function requestFailure(
  error: unknown,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): ProbeError {
  if (error instanceof ProbeError) return error;
  if (callerSignal?.aborted) return new ProbeError("aborted", "aborted");
  if (signal.aborted) return new ProbeError(`no answer within ${timeoutMs} ms`, "timeout");
  const e = error as Error & { code?: string; cause?: Error };
  const detail = `${e.message}${e.cause?.message ? ` (${e.cause.message})` : ""}`;
  if (runsInBrowser() && e.name === "TypeError")
    return new ProbeError(
      `the browser could not read it (${detail}): most media hosts send no Access-Control-Allow-Origin header, and a browser may not read media across origins without one (CORS). ` +
        "RunComfy fetches media from its own servers, where CORS does not apply: validate on a server, or serve the media from a host that sends Access-Control-Allow-Origin",
      "network",
    );
  return new ProbeError(`network error: ${detail}`, "network");
}

const rangeHeader = (offset: number, length: number) => ({ range: `bytes=${offset}-${offset + length - 1}` });

async function probeUrl(
  raw: string,
  kind: MediaKind | null,
  needs: ProbeNeeds,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? PROBE_DEFAULTS.maxBytes;
  let start: URL;
  try {
    start = new URL(raw);
  } catch {
    throw new ProbeError(`not a URL: ${JSON.stringify(raw.slice(0, 200))}`, "refused");
  }
  const signal = deadline(timeoutMs, options.signal);
  const redirects = {
    maxRedirects: options.maxRedirects ?? PROBE_DEFAULTS.maxRedirects,
    allowHttp: options.allowHttp ?? start.protocol === "http:",
  };
  let transport: Transport | undefined;
  try {
    transport = await openTransport(options, signal, options.fetch);
    const t = transport;
    // Only the size wanted: one byte is enough for Content-Range to tell it.
    const firstLength = needs.dimensions && kind !== "video" && kind !== "audio" ? FIRST_WINDOW : 1;
    let { answer, url } = await getFollowing(t, start, rangeHeader(0, firstLength), redirects);
    if (answer.status === 416) {
      // Range Not Satisfiable for bytes from 0: an empty file, or a server that dislikes the range. Ask for it whole.
      answer.close();
      ({ answer, url } = await getFollowing(t, url, {}, redirects));
    }
    if (answer.status !== 200 && answer.status !== 206) {
      answer.close();
      throw new ProbeError(`the server answered HTTP ${answer.status}`, "http", answer.status);
    }
    const rest = async (offset: number): Promise<HttpAnswer> =>
      (await getFollowing(t, url, { range: `bytes=${offset}-` }, redirects)).answer;
    const reader = httpReader(answer, rest, maxBytes);
    const result = await measure(reader, kind, needs, maxBytes);
    return { ...result, rangeRequests: reader.rangeRequests };
  } catch (e) {
    throw requestFailure(e, signal, options.signal, timeoutMs);
  } finally {
    transport?.close();
  }
}
