/**
 * Builds image files with real, hand-built headers (JPEG, PNG, WebP, GIF, BMP) of any declared size,
 * for tests, benchmarks and the emulator's result media. PNGs are complete and decodable; the other
 * formats carry correct headers and placeholder pixel data, which is all a header probe reads.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u16be = (n: number) => [(n >> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >> 8) & 255];
const u24le = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];
const u32be = (n: number) => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
const u32le = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const concat = (parts: (Uint8Array | number[])[]) => {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
};

export interface ImageOptions {
  /** Grow the file to exactly this many bytes (for file-size rules), with data a probe skips. */
  totalBytes?: number;
}

function pngChunk(type: string, data: Uint8Array | number[]): Uint8Array {
  const body = concat([ascii(type), data]);
  return concat([u32be(body.length - 4), body, u32be(crc32(body))]);
}

/** A complete grayscale PNG. */
export function png(width: number, height: number, options: ImageOptions = {}): Uint8Array {
  const ihdr = pngChunk("IHDR", [...u32be(width), ...u32be(height), 8, 0, 0, 0, 0]);
  // Rows of zeros (filter byte + pixels) compress to almost nothing, even for 30 000 px images.
  const rowCount = Math.min(height, 4096);
  const idat = pngChunk("IDAT", deflateSync(new Uint8Array(rowCount * (width + 1))));
  const iend = pngChunk("IEND", []);
  const head = concat([[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], ihdr, idat]);
  return pad(head, iend, options.totalBytes, (n) => pngChunk("pAdD", new Uint8Array(n - 12)), 12);
}

export interface JpegOptions extends ImageOptions {
  progressive?: boolean;
  /** Bytes of ICC profile before the frame header (split into APP2 segments as real files do). */
  iccBytes?: number;
  /** Bytes of EXIF (APP1) before the frame header. */
  exifBytes?: number;
  /** Profile bytes per APP2 segment: 65,000 by default; libjpeg fills each to 65,519. */
  iccChunkBytes?: number;
  /** What the profile's own header says its size is (default: its size; a profile of arbitrary bytes says anything). */
  iccDeclaredBytes?: number;
  /** Bytes of extended XMP before the frame header, in APP1 segments of at most 65,000 bytes (Adobe's XMP extension). */
  xmpExtensionBytes?: number;
}

function jpegSegment(marker: number, data: Uint8Array | number[]): Uint8Array {
  return concat([[0xff, marker], u16be(data.length + 2), data]);
}

export function jpeg(width: number, height: number, options: JpegOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([0xff, 0xd8])];
  parts.push(jpegSegment(0xe0, [...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  if (options.exifBytes)
    parts.push(jpegSegment(0xe1, concat([ascii("Exif"), [0, 0], new Uint8Array(Math.max(0, options.exifBytes - 6))])));
  // An ICC profile starts with its own size (big-endian); over 64 KiB it is split across APP2 segments.
  const iccSize = options.iccBytes ?? 0;
  const profile = new Uint8Array(iccSize);
  if (iccSize >= 4) new DataView(profile.buffer).setUint32(0, options.iccDeclaredBytes ?? iccSize);
  const perChunk = options.iccChunkBytes ?? 65_000;
  const chunks = Math.ceil(iccSize / perChunk);
  for (let i = 1, at = 0; at < iccSize; i++, at += perChunk) {
    parts.push(jpegSegment(0xe2, concat([ascii("ICC_PROFILE"), [0, i, chunks], profile.subarray(at, at + perChunk)])));
  }
  const xmpSize = options.xmpExtensionBytes ?? 0;
  for (let at = 0; at < xmpSize; at += 65_000) {
    const data = new Uint8Array(Math.min(65_000, xmpSize - at));
    const header = [
      ...ascii("http://ns.adobe.com/xmp/extension/"),
      0,
      ...ascii("0".repeat(32)),
      ...u32be(xmpSize),
      ...u32be(at),
    ];
    parts.push(jpegSegment(0xe1, concat([header, data])));
  }
  parts.push(jpegSegment(0xdb, [0, ...new Array(64).fill(1)]));
  parts.push(
    jpegSegment(options.progressive ? 0xc2 : 0xc0, [
      8,
      ...u16be(height),
      ...u16be(width),
      3,
      1,
      0x22,
      0,
      2,
      0x11,
      0,
      3,
      0x11,
      0,
    ]),
  );
  parts.push(jpegSegment(0xc4, [0, ...new Array(16).fill(0).map((_, i) => (i === 0 ? 1 : 0)), 0]));
  parts.push(jpegSegment(0xda, [3, 1, 0, 2, 0, 3, 0, 0, 63, 0]));
  const head = concat([...parts, new Uint8Array(64)]);
  return pad(head, Uint8Array.from([0xff, 0xd9]), options.totalBytes, (n) => new Uint8Array(n), 0);
}

export function gif(width: number, height: number, options: ImageOptions = {}): Uint8Array {
  const head = concat([
    ascii("GIF89a"),
    u16le(width),
    u16le(height),
    [0, 0, 0],
    [0x2c, 0, 0, 0, 0, ...u16le(width), ...u16le(height), 0, 2, 2, 0x4c, 0x01, 0],
  ]);
  return pad(head, Uint8Array.from([0x3b]), options.totalBytes, (n) => new Uint8Array(n), 0);
}

export function bmp(width: number, height: number, options: ImageOptions & { topDown?: boolean } = {}): Uint8Array {
  const dib = [
    ...u32le(40),
    ...u32le(width),
    ...u32le(options.topDown ? -height >>> 0 : height),
    ...u16le(1),
    ...u16le(24),
    ...new Array(24).fill(0),
  ];
  const pixels = new Uint8Array(16);
  const size = 14 + dib.length + pixels.length;
  const head = concat([ascii("BM"), u32le(options.totalBytes ?? size), [0, 0, 0, 0], u32le(54), dib, pixels]);
  return pad(head, new Uint8Array(0), options.totalBytes, (n) => new Uint8Array(n), 0);
}

function riff(chunks: Uint8Array[]): Uint8Array {
  const body = concat([ascii("WEBP"), ...chunks]);
  return concat([ascii("RIFF"), u32le(body.length), body]);
}
const webpChunk = (type: string, data: Uint8Array | number[]) => {
  const d = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return concat([ascii(type), u32le(d.length), d, d.length % 2 ? [0] : []]);
};
const vp8 = (width: number, height: number) =>
  webpChunk("VP8 ", [
    0x50,
    0x01,
    0x00,
    0x9d,
    0x01,
    0x2a,
    ...u16le(width & 0x3fff),
    ...u16le(height & 0x3fff),
    ...new Array(10).fill(0),
  ]);

export function webpLossy(width: number, height: number, options: ImageOptions = {}): Uint8Array {
  const plain = riff([vp8(width, height)]);
  if (options.totalBytes === undefined || options.totalBytes <= plain.length) return plain;
  // An unknown chunk after the frame (readers skip it), sized so the file has exactly totalBytes.
  return riff([vp8(width, height), webpChunk("PAD ", new Uint8Array(options.totalBytes - plain.length - 8))]);
}

export function webpLossless(width: number, height: number): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  const bits = [w & 0xff, ((w >> 8) & 0x3f) | ((h & 0x03) << 6), (h >> 2) & 0xff, (h >> 10) & 0x0f];
  return riff([webpChunk("VP8L", [0x2f, ...bits, 0, 0, 0])]);
}

export function webpExtended(width: number, height: number): Uint8Array {
  return riff([
    webpChunk("VP8X", [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]),
    vp8(Math.min(width, 16383), Math.min(height, 16383)),
  ]);
}

/** Appends filler before the trailer so the file has exactly `total` bytes. */
function pad(
  head: Uint8Array,
  trailer: Uint8Array,
  total: number | undefined,
  filler: (n: number) => Uint8Array,
  minFiller: number,
): Uint8Array {
  if (total === undefined) return concat([head, trailer]);
  const n = total - head.length - trailer.length;
  if (n < minFiller && n !== 0)
    throw new Error(`cannot pad to ${total} bytes (header alone is ${head.length + trailer.length})`);
  return concat([head, n ? filler(n) : new Uint8Array(0), trailer]);
}

const box = (type: string, ...content: (Uint8Array | number[])[]) => {
  const body = concat(content);
  return concat([u32be(body.length + 8), ascii(type), body]);
};
const fullBox = (type: string, version: number, flags: number, ...content: (Uint8Array | number[])[]) =>
  box(type, [version, (flags >> 16) & 255, (flags >> 8) & 255, flags & 255], ...content);

export interface AvifOptions extends ImageOptions {
  /** Bytes of image data (`mdat`) before the `meta` box instead of after it: the size lies late. */
  mdatFirstBytes?: number;
  /** Rotation of the primary item, in quarter turns (an `irot` property). */
  quarterTurns?: number;
}

/**
 * An AVIF's boxes as libavif writes them: `ftyp`, `meta` (the primary item, its `ispe` size among
 * its properties, with a thumbnail item of another size before it), then `mdat` (placeholder data).
 */
export function avif(width: number, height: number, options: AvifOptions = {}): Uint8Array {
  const ftyp = box("ftyp", ascii("avif"), u32be(0), ascii("avifmif1miaf"));
  const ispe = (w: number, h: number) => fullBox("ispe", 0, 0, u32be(w), u32be(h));
  // Properties (1-based): the thumbnail's size, the image's, pixel info, and the rotation if any.
  const properties = [ispe(160, 90), ispe(width, height), fullBox("pixi", 0, 0, [3, 8, 8, 8])];
  if (options.quarterTurns) properties.push(box("irot", [options.quarterTurns & 3]));
  const primaryProps = [2, 3, ...(options.quarterTurns ? [4] : [])];
  const ipma = fullBox(
    "ipma",
    0,
    0,
    u32be(2),
    [0, 2, 2, 0x81, 0x83],
    [0, 1, primaryProps.length, ...primaryProps.map((p) => 0x80 | p)],
  );
  const meta = fullBox(
    "meta",
    0,
    0,
    fullBox("hdlr", 0, 0, u32be(0), ascii("pict"), new Array(12).fill(0), [0]),
    fullBox("pitm", 0, 0, u16be(1)),
    fullBox(
      "iinf",
      0,
      0,
      u16be(2),
      fullBox("infe", 2, 0, u16be(1), u16be(0), ascii("av01"), [0]),
      fullBox("infe", 2, 0, u16be(2), u16be(0), ascii("av01"), [0]),
    ),
    box("iprp", box("ipco", ...properties), ipma),
  );
  const data = (n: number) => box("mdat", new Uint8Array(Math.max(0, n - 8)));
  const head = options.mdatFirstBytes ? concat([ftyp, data(options.mdatFirstBytes), meta]) : concat([ftyp, meta]);
  return pad(head, new Uint8Array(0), options.totalBytes, data, 8);
}
