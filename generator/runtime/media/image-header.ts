/**
 * Reads image dimensions from headers only: JPEG (baseline, progressive, any segments before the
 * frame header), PNG, WebP (lossy, lossless, extended), GIF, BMP, AVIF. Each parser asks the reader for the
 * exact bytes it needs, so a range-capable source skips segments instead of downloading them.
 */
import { ProbeError, type ByteReader } from "./byte-reader.js";

export type ImageFormat = "jpeg" | "png" | "webp" | "gif" | "bmp" | "avif";
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
  if (head.length >= 12 && ascii(head, 4, 4) === "ftyp" && AVIF_BRANDS.includes(ascii(head, 8, 4))) return "avif";
  return undefined;
}

/** `ftyp` major brands of AVIF: a still image, an image sequence. */
const AVIF_BRANDS = ["avif", "avis"];

/** Image containers recognised by their signature but not measured: HEIF (ISO BMFF `ftyp` brands), TIFF. */
export function sniffUnmeasuredImage(head: Uint8Array): string | undefined {
  if (head.length >= 12 && ascii(head, 4, 4) === "ftyp") {
    const brand = ascii(head, 8, 4);
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
  // Past the end of the file it cannot be (a profile of arbitrary bytes announces any size): looking
  // there would pull a forward-only stream past the segments the walk then needs.
  const size = r.size();
  if (end <= firstEnd || (size !== undefined && end > size)) return undefined;
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

/** An ISO BMFF box header at `offset`: its type, where its content starts and where it ends (Infinity: at the end of the file). */
async function boxAt(
  r: ByteReader,
  offset: number,
): Promise<{ type: string; content: number; end: number } | undefined> {
  const b = await r.peek(offset, 16);
  if (b.length === 0) return undefined;
  if (b.length < 8) throw new ProbeError(`AVIF is truncated in a box header at byte ${offset}`, "truncated");
  const size = be32(b, 0);
  const type = ascii(b, 4, 4);
  if (size === 1) {
    if (b.length < 16) return undefined;
    return { type, content: offset + 16, end: offset + be32(b, 8) * 2 ** 32 + be32(b, 12) };
  }
  return { type, content: offset + 8, end: size === 0 ? Infinity : offset + size };
}

/** The most of an AVIF's `meta` box read at once: its item tables and properties are small. */
const MAX_META = 1024 * 1024;

/**
 * AVIF: the primary item's `ispe` (image spatial extent) property, found through the top-level
 * `meta` box (`pitm` names the primary item, `iprp`'s `ipma` lists its properties in `ipco`). Boxes
 * before `meta` (a large `mdat`) are skipped. What this reader cannot settle (no `meta`, no `ispe`,
 * or a rotation or crop that may change what a decoder reports) is "unmeasured-format": the rules
 * are left unchecked, never refused on this parser's account.
 */
async function avif(r: ByteReader): Promise<ImageHeader> {
  const unmeasured = (why: string) => new ProbeError(`AVIF ${why}: not measured by this package`, "unmeasured-format");
  let offset = 0;
  let meta: { content: number; end: number } | undefined;
  for (let boxes = 0; boxes < 1000 && !meta; boxes++) {
    const box = await boxAt(r, offset);
    if (!box || box.end <= offset) break;
    if (box.type === "meta") meta = box;
    else offset = box.end;
  }
  const size = r.size();
  if (!meta && size !== undefined && offset >= size)
    throw new ProbeError(`AVIF is truncated: it ends at byte ${size} before its meta box`, "truncated");
  if (!meta || meta.end === Infinity || meta.end - meta.content > MAX_META) throw unmeasured("has no meta box to read");
  const m = await r.read(meta.content, meta.end - meta.content);
  /** The child boxes of the bytes m[from, to). */
  const children = (from: number, to: number) => {
    const list: { type: string; at: number; end: number }[] = [];
    for (let at = from; at + 8 <= to; ) {
      const size = be32(m, at);
      if (size < 8 || at + size > to) break;
      list.push({ type: ascii(m, at + 4, 4), at: at + 8, end: at + size });
      at += size;
    }
    return list;
  };
  const top = children(4, m.length); // after the FullBox version and flags
  const pitm = top.find((b) => b.type === "pitm");
  const iprp = top.find((b) => b.type === "iprp");
  if (!pitm || !iprp) throw unmeasured("names no primary item or no properties");
  const primary = m[pitm.at] === 0 ? be16(m, pitm.at + 4) : be32(m, pitm.at + 4);
  const inIprp = children(iprp.at, iprp.end);
  const ipco = inIprp.find((b) => b.type === "ipco");
  const properties = ipco ? children(ipco.at, ipco.end) : [];
  const associated: number[] = [];
  for (const ipma of inIprp.filter((b) => b.type === "ipma")) {
    const version = m[ipma.at];
    const wide = (m[ipma.at + 3] & 1) === 1;
    let at = ipma.at + 4;
    const entries = be32(m, at);
    at += 4;
    for (let e = 0; e < entries && at < ipma.end; e++) {
      const item = version < 1 ? be16(m, at) : be32(m, at);
      at += version < 1 ? 2 : 4;
      const count = m[at++];
      for (let k = 0; k < count; k++) {
        const index = wide ? be16(m, at) & 0x7fff : m[at] & 0x7f;
        at += wide ? 2 : 1;
        if (item === primary) associated.push(index);
      }
    }
  }
  const own = associated.map((i) => properties[i - 1]).filter((p) => p !== undefined);
  if (own.some((p) => p.type === "irot" || p.type === "clap"))
    throw unmeasured("is rotated or cropped (irot, clap): decoders differ on its size");
  const ispe = own.find((p) => p.type === "ispe");
  if (!ispe || ispe.end - ispe.at < 12) throw unmeasured("has no image size (ispe) for its primary item");
  return checked("avif", be32(m, ispe.at + 4), be32(m, ispe.at + 8));
}

const PARSERS: Record<ImageFormat, (r: ByteReader) => Promise<ImageHeader>> = { jpeg, png, webp, gif, bmp, avif };

/** Dimensions of the image behind `reader`, or a ProbeError saying why not. */
export async function readImageHeader(reader: ByteReader): Promise<ImageHeader> {
  const head = await reader.peek(0, 16);
  if (head.length === 0) throw new ProbeError("the file is empty", "truncated");
  const format = sniffImageFormat(head);
  if (!format) {
    const other = sniffUnmeasuredImage(head);
    // An image the service may well take, whose size this package cannot read: not a reason to refuse.
    if (other) throw new ProbeError(`${other} images are not measured by this package`, "unmeasured-format");
    throw new ProbeError("not a supported image (JPEG, PNG, WebP, GIF, BMP or AVIF)", "unsupported");
  }
  return PARSERS[format](reader);
}
