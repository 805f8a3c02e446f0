/**
 * Node-only entry point (`runcomfy-models/node`): probing local files, downloading outputs through
 * the same address guard as the probe, Node's DNS, and a batch's journal on disk. The package root stays free of Node APIs.
 */
import { open, readFile, stat, unlink } from "node:fs/promises";
import { checkLocalMedia, DATA_URI_MAX_BYTES, mediaTypeOfName } from "./media/data-uri.js";
import { lookup } from "node:dns/promises";
import { RunComfyError } from "./errors.js";
import { ProbeError, type ByteReader } from "./media/byte-reader.js";
import { declaredLength, deadline, getFollowing, type AddressPolicy } from "./media/media-fetch.js";
import { nodeTransport } from "./media/node-media-fetch.js";
import {
  measure,
  probeMedia,
  requestFailure,
  PROBE_DEFAULTS,
  type MediaSource,
  type ProbeNeeds,
  type ProbeOptions,
  type ProbeResult,
} from "./media/probe.js";
import type { MediaKind } from "./validation/rule-types.js";

export { probeMedia, ProbeError };
export { openBatchJournal, BatchJournalError, type FileBatchJournal } from "./batch/batch-journal.js";
export type { ProbeOptions, ProbeResult, MediaSource };

/** Resolves a host name to all its addresses with Node's resolver. */
export async function resolveHost(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/** A reader over a local file, reading only the ranges asked for. */
export async function fileReader(path: string): Promise<ByteReader> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    throw new ProbeError(`cannot open ${path}: ${(e as Error).message}`, "network");
  }
  const { size } = await handle.stat();
  let touched = 0;
  const readAt = async (offset: number, length: number) => {
    const n = Math.max(0, Math.min(length, size - offset));
    const buf = new Uint8Array(n);
    if (n) await handle.read(buf, 0, n, offset);
    touched += n;
    return buf;
  };
  return {
    async read(offset, length) {
      const part = await readAt(offset, length);
      if (part.length < length)
        throw new ProbeError(
          `data is truncated: needed bytes ${offset}–${offset + length - 1} but the file has ${size}`,
          "truncated",
        );
      return part;
    },
    peek: readAt,
    size: () => size,
    bytesRead: () => touched,
    close: () => handle.close(),
  };
}

/** Measures a local file (size and, for images, dimensions). */
export async function probeFile(
  path: string,
  kind: MediaKind | null = "image",
  needs: ProbeNeeds = { dimensions: true, size: true },
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  return measure(await fileReader(path), kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
}

export interface DownloadOptions extends AddressPolicy {
  /** Follow a redirect from https to plain http. Default false. */
  allowHttp?: boolean;
  /** Overall time for the download: DNS, connections, redirects and the transfer. Default 10 minutes. */
  timeoutMs?: number;
  /** Largest file accepted. Default 2 GiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export const DOWNLOAD_DEFAULTS = Object.freeze({ timeoutMs: 10 * 60_000, maxBytes: 2 * 1024 ** 3, maxRedirects: 5 });

/** A failed download: ProbeError's codes (network, timeout, refused, http, too-large, …) plus "exists". */
export class DownloadError extends RunComfyError {
  override name = "DownloadError";
  constructor(
    message: string,
    readonly code: ProbeError["code"] | "exists" | "file",
  ) {
    super(message);
  }
}

/**
 * Streams `url` into a new file `path`: connections only to addresses the private-network policy
 * allows (checked at connect time, redirects included), one deadline, a size cap. Never overwrites:
 * an existing file is a DownloadError("exists"); a failed download leaves no file behind.
 */
export async function downloadToFile(
  url: string,
  path: string,
  options: DownloadOptions = {},
): Promise<{ path: string; bytes: number; contentType?: string }> {
  const timeoutMs = options.timeoutMs ?? DOWNLOAD_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? DOWNLOAD_DEFAULTS.maxBytes;
  const signal = deadline(timeoutMs, options.signal);
  let start: URL;
  try {
    start = new URL(url);
  } catch {
    throw new DownloadError(`not a URL: ${JSON.stringify(url.slice(0, 200))}`, "refused");
  }
  const transport = await nodeTransport(options, signal);
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const redirects = {
      maxRedirects: options.maxRedirects ?? DOWNLOAD_DEFAULTS.maxRedirects,
      allowHttp: options.allowHttp ?? start.protocol === "http:",
    };
    const { answer } = await getFollowing(transport, start, {}, redirects);
    if (answer.status !== 200) throw new ProbeError(`the server answered HTTP ${answer.status}`, "http", answer.status);
    const declared = declaredLength(answer);
    if (declared !== undefined && declared > maxBytes)
      throw new ProbeError(`the file is ${declared} bytes, over the ${maxBytes}-byte cap`, "too-large");
    try {
      file = await open(path, "wx");
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new DownloadError(
        code === "EEXIST"
          ? `${path} already exists; not overwritten`
          : `cannot create ${path}: ${(e as Error).message}`,
        code === "EEXIST" ? "exists" : "file",
      );
    }
    let bytes = 0;
    for (let chunk = await answer.read(); chunk; chunk = await answer.read()) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new ProbeError(`the file is larger than the ${maxBytes}-byte cap`, "too-large");
      await file.write(chunk);
    }
    await file.close();
    file = undefined;
    return { path, bytes, ...(answer.header("content-type") ? { contentType: answer.header("content-type")! } : {}) };
  } catch (e) {
    if (file) {
      await file.close().catch(() => {});
      await unlink(path).catch(() => {});
    }
    if (e instanceof DownloadError) throw e;
    const failure = requestFailure(e, signal, options.signal, timeoutMs);
    throw new DownloadError(`download of ${start.href} failed: ${failure.message}`, failure.code);
  } finally {
    transport.close();
  }
}

/**
 * A local file as a `data:` URI for a media input (RunComfy has no upload endpoint; its own clients
 * send files this way). The type comes from `mediaType` or the file's extension; the URI must stay
 * within RunComfy's 64 MiB request cap (`maxBytes`); `kind` checks the type fits the input
 * (`"image"` for an image input). Validate the input afterwards to check the media rules on the bytes.
 *
 * ```ts
 * import { fileToDataUri } from "runcomfy-models/node";
 * await client.run("bytedance/dreamina-4-0/edit", { prompt: "…", image_urls: [await fileToDataUri("./cat.png")] });
 * ```
 */
export async function fileToDataUri(
  path: string,
  options: {
    mediaType?: string;
    kind?: MediaKind | null;
    maxBytes?: number;
    /** The file's name in messages. Default: path. */
    name?: string;
  } = {},
): Promise<string> {
  const mediaType = checkLocalMedia(
    (await stat(path)).size,
    options.mediaType ?? mediaTypeOfName(path),
    options.kind ?? null,
    options.name ?? path,
    options.maxBytes ?? DATA_URI_MAX_BYTES,
  );
  return `data:${mediaType};base64,${(await readFile(path)).toString("base64")}`;
}
