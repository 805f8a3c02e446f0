/**
 * Local media as data URIs: RunComfy's Model API has no upload endpoint, and its own clients send
 * local files as `data:<type>;base64,…` within a 64 MiB request cap. Web-standard only (no Buffer),
 * so the client can turn a Blob, File or Uint8Array into a data URI in any runtime.
 */
import { RunComfyError } from "../errors.js";
import { ProbeError, concatBytes, truncated, type ByteReader } from "./byte-reader.js";
import { sniffImageFormat, sniffUnmeasuredImage } from "./image-header.js";
import type { MediaKind } from "../validation/rule-types.js";

/** The largest request RunComfy's own clients send (data URIs included): 64 MiB. */
export const DATA_URI_MAX_BYTES = 64 * 1024 * 1024;

/** Media types by file extension, for files whose type is not given. */
export const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  bmp: "image/bmp",
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  aac: "audio/aac",
  ogg: "audio/ogg",
  flac: "audio/flac",
};

/** The media type of a file name by its extension, or undefined. */
export function mediaTypeOfName(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : MEDIA_TYPES_BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

/** The length of the data URI for `byteLength` bytes of `mediaType` (base64). */
export function dataUriLength(byteLength: number, mediaType: string): number {
  return `data:${mediaType};base64,`.length + Math.ceil(byteLength / 3) * 4;
}

/** A problem with local media: too large, unknown type, or not the kind the input expects. */
export class LocalMediaError extends RunComfyError {
  override name = "LocalMediaError";
}

/**
 * Checks that bytes of `mediaType` can be sent as a data URI for a `kind` input: the type fits the
 * kind, and the URI stays within the cap. `what` names the file in messages.
 */
export function checkLocalMedia(
  byteLength: number,
  mediaType: string | undefined,
  kind: MediaKind | null,
  what: string,
  maxBytes = DATA_URI_MAX_BYTES,
): string {
  if (!mediaType)
    throw new LocalMediaError(
      `cannot tell the media type of ${what}: give it a known extension (${Object.keys(MEDIA_TYPES_BY_EXTENSION).join(", ")}) or a type`,
    );
  if (kind && !mediaType.startsWith(`${kind}/`))
    throw new LocalMediaError(
      `${what} is ${mediaType}, but this input takes ${kind === "image" ? "an image" : kind === "audio" ? "audio" : "a video"}`,
    );
  const length = dataUriLength(byteLength, mediaType);
  if (length > maxBytes)
    throw new LocalMediaError(
      `${what} is too large to send: as a data URI it is ${(length / 1048576).toFixed(1)} MiB, over RunComfy's ${(maxBytes / 1048576).toFixed(0)} MiB request cap; host it and pass its https URL`,
    );
  return mediaType;
}

/** Base64 of bytes, in chunks (String.fromCharCode over a huge array would overflow the stack). */
export function base64OfBytes(bytes: Uint8Array): string {
  let binary = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** `data:<mediaType>;base64,<bytes>`. */
export function bytesToDataUri(bytes: Uint8Array, mediaType: string): string {
  return `data:${mediaType};base64,${base64OfBytes(bytes)}`;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** Media types by ISO BMFF `ftyp` brand (MP4, QuickTime, M4A, AVIF, HEIF). */
const FTYP_BRANDS: Readonly<Record<string, string>> = {
  "qt  ": "video/quicktime",
  "M4A ": "audio/mp4",
  "M4B ": "audio/mp4",
  avif: "image/avif",
  avis: "image/avif",
};

/** The media type of bytes by their signature (images, MP4/QuickTime, WebM, WAV, MP3, OGG, FLAC), or undefined. */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const image = sniffImageFormat(bytes);
  if (image) return `image/${image}`;
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    return FTYP_BRANDS[brand] ?? (sniffUnmeasuredImage(bytes) === "HEIF" ? "image/heic" : "video/mp4");
  }
  if (sniffUnmeasuredImage(bytes) === "TIFF") return "image/tiff";
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return "video/webm";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WAVE") return "audio/wav";
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === "OggS") return "audio/ogg";
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === "fLaC") return "audio/flac";
  if (
    (bytes.length >= 3 && ascii(bytes, 0, 3) === "ID3") ||
    (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0)
  )
    return "audio/mpeg";
  return undefined;
}

/** A data URI's declared media type (lower case; `text/plain` when none is given), whether it is base64, and its payload. */
export interface DataUriParts {
  mediaType: string;
  base64: boolean;
  payload: string;
}

export function dataUriParts(uri: string): DataUriParts {
  const comma = uri.indexOf(",");
  if (!uri.startsWith("data:") || comma < 0) throw new ProbeError("malformed data URI (no comma)", "corrupt");
  const meta = uri.slice(5, comma);
  return {
    mediaType: meta.split(";")[0].trim().toLowerCase() || "text/plain",
    base64: /;base64$/i.test(meta),
    payload: uri.slice(comma + 1),
  };
}

/** The bytes of percent-encoded text: `%XX` is that byte, any other character its UTF-8 (a lone `%` stays itself, as browsers read it). */
function percentDecode(text: string): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const percentEscape = /%([0-9A-Fa-f]{2})/g;
  let last = 0;
  for (let m = percentEscape.exec(text); m; m = percentEscape.exec(text)) {
    if (m.index > last) parts.push(encoder.encode(text.slice(last, m.index)));
    parts.push(Uint8Array.of(Number.parseInt(m[1], 16)));
    last = percentEscape.lastIndex;
  }
  parts.push(encoder.encode(text.slice(last)));
  return concatBytes(parts);
}

/**
 * Whether base64 text holds whitespace (then it is copied without it: offsets and the size count
 * only base64 characters). Encoders that wrap lines (the `base64` tool, at 76) put newlines in,
 * found by `includes` at memory speed; other whitespace is looked for at both ends, and everywhere
 * only when the length is not whole groups of four, which a stray character in the middle makes it:
 * a 60 MiB payload costs one scan, not a regular expression over every character.
 */
function hasWhitespace(b64: string): boolean {
  const anywhere = /\s/;
  return (
    b64.includes("\n") ||
    anywhere.test(b64.slice(0, 4096)) ||
    anywhere.test(b64.slice(-4096)) ||
    (b64.length % 4 !== 0 && anywhere.test(b64))
  );
}

/** A data URI's bytes, decoded a range at a time: `size` from the base64 length, `slice` decodes only what it returns. */
interface DataUriBytes {
  size: number;
  slice(offset: number, length: number): Uint8Array;
}

/**
 * Data URIs opened in the current task, so that validation's size check and the probe it then starts
 * look over a large payload once. Emptied when the task's microtasks run: validation sizes every data
 * URI and starts their probes in one synchronous pass, and no string is held after it.
 */
const opened = new Map<string, DataUriBytes>();

function openDataUri(uri: string): DataUriBytes {
  const known = opened.get(uri);
  if (known) return known;
  const { base64, payload } = dataUriParts(uri);
  let bytes: DataUriBytes;
  if (!base64) {
    const all = percentDecode(payload);
    bytes = { size: all.length, slice: (offset, length) => all.subarray(offset, offset + length) };
  } else {
    const b64 = hasWhitespace(payload) ? payload.replace(/\s+/g, "") : payload;
    const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
    if ((b64.length - padding) % 4 === 1) throw new ProbeError("malformed data URI (bad base64 length)", "corrupt");
    const size = Math.floor(((b64.length - padding) * 3) / 4);
    bytes = {
      size,
      slice(offset, length) {
        const start = Math.min(offset, size);
        const end = Math.min(size, offset + length);
        if (end <= start) return new Uint8Array(0);
        // Whole groups of 4 characters (3 bytes) around the range.
        const from = Math.floor(start / 3) * 4;
        let binary: string;
        try {
          binary = atob(b64.slice(from, Math.ceil(end / 3) * 4));
        } catch {
          throw new ProbeError("malformed data URI (bad base64)", "corrupt");
        }
        const skip = start - (from / 4) * 3;
        const out = new Uint8Array(end - start);
        for (let i = 0; i < out.length; i++) out[i] = binary.charCodeAt(skip + i);
        return out;
      },
    };
  }
  if (!opened.size) queueMicrotask(() => opened.clear());
  opened.set(uri, bytes);
  return bytes;
}

/** The number of bytes a data URI holds: for base64 from the payload's length, nothing decoded. */
export function dataUriByteLength(uri: string): number {
  return openDataUri(uri).size;
}

/** All of a data URI's bytes (base64 or percent-encoded). */
export function decodeDataUri(uri: string): Uint8Array {
  const bytes = openDataUri(uri);
  return bytes.slice(0, bytes.size);
}

/**
 * A reader over a data URI's bytes that decodes only what is read: a header parser decodes the few
 * bytes it needs and the size comes from the base64 length, so a 60 MiB image is measured without
 * a 60 MiB copy. Base64 outside what is read is not checked.
 */
export function dataUriReader(uri: string): ByteReader {
  const bytes = openDataUri(uri);
  let decoded = 0;
  const slice = (offset: number, length: number) => {
    const part = bytes.slice(offset, length);
    decoded += part.length;
    return part;
  };
  return {
    async read(offset, length) {
      const part = slice(offset, length);
      if (part.length < length) throw truncated(offset, length, bytes.size);
      return part;
    },
    peek: async (offset, length) => slice(offset, length),
    size: () => bytes.size,
    bytesRead: () => decoded,
    close: async () => {},
  };
}

/** Media types that name the same bytes: aliases, MPEG audio frames (MP3 and AAC's ADTS share a sync word), and the ISO BMFF family (MP4, QuickTime and M4A share one signature). */
const SAME_MEDIA: Readonly<Record<string, string>> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/x-png": "image/png",
  "image/x-ms-bmp": "image/bmp",
  "image/x-bmp": "image/bmp",
  "image/heif": "image/heic",
  "audio/mp3": "audio/mpeg",
  "audio/aac": "audio/mpeg",
  "audio/x-aac": "audio/mpeg",
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/x-flac": "audio/flac",
  "video/quicktime": "iso-bmff",
  "video/mp4": "iso-bmff",
  "video/x-m4v": "iso-bmff",
  "audio/mp4": "iso-bmff",
  "audio/x-m4a": "iso-bmff",
  "audio/m4a": "iso-bmff",
};
const sameMedia = (type: string) => SAME_MEDIA[type] ?? type;

/**
 * The type a data URI's bytes show when it is not the type the URI declares (`data:image/png`
 * holding a JPEG), else undefined. Bytes of no type recognised here are not a mismatch.
 */
export function dataUriTypeMismatch(uri: string): { declared: string; found: string } | undefined {
  let head: Uint8Array;
  try {
    head = openDataUri(uri).slice(0, 64);
  } catch {
    return undefined; // malformed: the probe says so where the rules need the bytes
  }
  const declared = dataUriParts(uri).mediaType;
  const found = sniffMediaType(head);
  if (!found || sameMedia(found) === sameMedia(declared)) return undefined;
  return { declared, found };
}
