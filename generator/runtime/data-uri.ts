/**
 * Local media as data URIs: RunComfy's Model API has no upload endpoint, and its own clients send
 * local files as `data:<type>;base64,…` within a 64 MiB request cap. Web-standard only (no Buffer),
 * so the client can turn a Blob, File or Uint8Array into a data URI in any runtime.
 */
import { sniffImageFormat, sniffUnmeasuredImage } from "./image-header.js";
import type { MediaKind } from "./rule-types.js";

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
export class LocalMediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalMediaError";
  }
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
