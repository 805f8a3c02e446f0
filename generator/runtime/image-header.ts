/**
 * Reads image dimensions from headers only: JPEG (baseline, progressive, any segments before the
 * frame header), PNG, WebP (lossy, lossless, extended), GIF, BMP. Each parser asks the reader for the
 * exact bytes it needs, so a range-capable source skips segments instead of downloading them.
 */
import { ProbeError, type ByteReader } from "./byte-reader.js";

export type ImageFormat = "jpeg" | "png" | "webp" | "gif" | "bmp";
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const le16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const le32 = (b: Uint8Array, o: number) => b[o] + (b[o + 1] << 8) + (b[o + 2] << 16) + ((b[o + 3] << 24) >>> 0);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

export function sniffImageFormat(head: Uint8Array): ImageFormat | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.length >= 8 && be32(head, 0) === 0x89504e47 && be32(head, 4) === 0x0d0a1a0a) return "png";
  if (head.length >= 12 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 4) === "WEBP") return "webp";
  if (head.length >= 6 && (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a")) return "gif";
  if (head.length >= 2 && head[0] === 0x42 && head[1] === 0x4d) return "bmp";
  return undefined;
}

/** Image containers recognised by their signature but not measured: AVIF and HEIF (ISO BMFF `ftyp` brands), TIFF. */
export function sniffUnmeasuredImage(head: Uint8Array): string | undefined {
  if (head.length >= 12 && ascii(head, 4, 4) === "ftyp") {
    const brand = ascii(head, 8, 4);
    if (brand === "avif" || brand === "avis") return "AVIF";
    if (["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand)) return "HEIF";
  }
  if (head.length >= 4 && (ascii(head, 0, 4) === "II*\0" || ascii(head, 0, 4) === "MM\0*")) return "TIFF";
  return undefined;
}

const checked = (format: ImageFormat, width: number, height: number): ImageHeader => {
  if (!(width > 0 && height > 0))
    throw new ProbeError(`${format} header declares an empty image (${width}×${height})`, "corrupt");
  return { format, width, height };
};

async function png(r: ByteReader): Promise<ImageHeader> {
  const b = await r.read(8, 16);
  if (ascii(b, 4, 4) !== "IHDR") throw new ProbeError("PNG does not start with an IHDR chunk", "corrupt");
  return checked("png", be32(b, 8), be32(b, 12));
}

async function gif(r: ByteReader): Promise<ImageHeader> {
  const b = await r.read(6, 4);
  return checked("gif", le16(b, 0), le16(b, 2));
}

async function bmp(r: ByteReader): Promise<ImageHeader> {
  const dib = le32(await r.read(14, 4), 0);
  if (dib === 12) {
    const b = await r.read(18, 4);
    return checked("bmp", le16(b, 0), le16(b, 2));
  }
  if (dib < 40) throw new ProbeError(`BMP has an unknown header size ${dib}`, "corrupt");
  const b = await r.read(18, 8);
  const height = le32(b, 4) | 0; // signed: negative means top-down rows
  return checked("bmp", le32(b, 0) | 0, Math.abs(height));
}

async function webp(r: ByteReader): Promise<ImageHeader> {
  const chunk = ascii(await r.read(12, 4), 0, 4);
  if (chunk === "VP8 ") {
    const b = await r.read(20, 10);
    if (b[3] !== 0x9d || b[4] !== 0x01 || b[5] !== 0x2a)
      throw new ProbeError("WebP VP8 frame has no start code", "corrupt");
    return checked("webp", le16(b, 6) & 0x3fff, le16(b, 8) & 0x3fff);
  }
  if (chunk === "VP8L") {
    const b = await r.read(20, 5);
    if (b[0] !== 0x2f) throw new ProbeError("WebP VP8L has a bad signature", "corrupt");
    const [b0, b1, b2, b3] = [b[1], b[2], b[3], b[4]];
    return checked("webp", 1 + (b0 | ((b1 & 0x3f) << 8)), 1 + ((b1 >> 6) | (b2 << 2) | ((b3 & 0x0f) << 10)));
  }
  if (chunk === "VP8X") {
    const b = await r.read(24, 6);
    return checked("webp", 1 + (b[0] | (b[1] << 8) | (b[2] << 16)), 1 + (b[3] | (b[4] << 8) | (b[5] << 16)));
  }
  throw new ProbeError(`WebP has an unknown first chunk ${JSON.stringify(chunk)}`, "corrupt");
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frame headers. */
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Largest JPEG segment: marker, length field and 65,533 bytes of data. */
const MAX_SEGMENT = 2 + 0xffff;
const ICC_SIGNATURE = "ICC_PROFILE\0";

/**
 * Where the ICC profile segments that start at `offset` end, in one jump. A profile over 64 KiB is
 * split into N APP2 segments of 18 bytes of framing each; the first announces N and the profile's
 * size, so they end at offset + 18·N + size. The jump is taken only when the last chunk's header
 * (signature, number N of N) is found ending exactly there; otherwise undefined (walk them one by one).
 * One forward read covers every place the last chunk can start (at most a segment before the end)
 * and a little past the end (the segments after a profile are short): over HTTP it is one request
 * however the chunks are cut. Encoders (libjpeg, ImageMagick, Photoshop) cut every chunk but the
 * last to one length, so the last one's header is looked for first where that puts it.
 */
async function iccProfileEnd(r: ByteReader, offset: number, length: number): Promise<number | undefined> {
  if (length < 2 + 14 + 4) return undefined;
  const head = await r.read(offset + 4, 18);
  const count = head[13];
  if (ascii(head, 0, 12) !== ICC_SIGNATURE || head[12] !== 1 || count < 2) return undefined;
  const end = offset + 18 * count + be32(head, 14);
  const firstEnd = offset + 2 + length;
  if (end <= firstEnd) return undefined;
  const isLastChunk = (region: Uint8Array, q: number, at: number) =>
    q >= 0 &&
    q + 18 <= region.length &&
    region[q] === 0xff &&
    region[q + 1] === 0xe2 &&
    at + 2 + be16(region, q + 2) === end &&
    ascii(region, q + 4, 12) === ICC_SIGNATURE &&
    region[q + 16] === count &&
    region[q + 17] === count;
  const from = Math.max(firstEnd, end - MAX_SEGMENT);
  const region = await r.peek(from, end - from + 4096);
  const even = offset + (count - 1) * (2 + length) - from;
  if (isLastChunk(region, even, from + even)) return end;
  for (let q = end - from - 18; q >= 0; q--) if (isLastChunk(region, q, from + q)) return end;
  return undefined;
}

async function jpeg(r: ByteReader): Promise<ImageHeader> {
  let offset = 2;
  for (let segments = 0; segments < 10_000; segments++) {
    let head = await r.read(offset, 2);
    // Fill bytes (0xFF padding) may precede a marker.
    while (head[0] === 0xff && head[1] === 0xff) {
      offset++;
      head = await r.read(offset, 2);
    }
    if (head[0] !== 0xff) throw new ProbeError(`JPEG has no marker at byte ${offset}`, "corrupt");
    const marker = head[1];
    if (marker === 0xd9 || marker === 0xda)
      throw new ProbeError("JPEG reaches its image data without a frame header", "corrupt");
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = be16(await r.read(offset + 2, 2), 0);
    if (length < 2) throw new ProbeError(`JPEG segment at byte ${offset} has a bad length ${length}`, "corrupt");
    if (isStartOfFrame(marker)) {
      const frame = await r.read(offset + 4, 5);
      return checked("jpeg", be16(frame, 3), be16(frame, 1));
    }
    offset = (marker === 0xe2 ? await iccProfileEnd(r, offset, length) : undefined) ?? offset + 2 + length;
  }
  throw new ProbeError("JPEG has too many segments before its frame header", "corrupt");
}

const PARSERS: Record<ImageFormat, (r: ByteReader) => Promise<ImageHeader>> = { jpeg, png, webp, gif, bmp };

/** Dimensions of the image behind `reader`, or a ProbeError saying why not. */
export async function readImageHeader(reader: ByteReader): Promise<ImageHeader> {
  const head = await reader.peek(0, 16);
  if (head.length === 0) throw new ProbeError("the file is empty", "truncated");
  const format = sniffImageFormat(head);
  if (!format) {
    const other = sniffUnmeasuredImage(head);
    // An image the service may well take, whose size this package cannot read: not a reason to refuse.
    if (other) throw new ProbeError(`${other} images are not measured by this package`, "unmeasured-format");
    throw new ProbeError("not a supported image (JPEG, PNG, WebP, GIF or BMP)", "unsupported");
  }
  return PARSERS[format](reader);
}
