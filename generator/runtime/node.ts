/**
 * Node-only entry point (`runcomfy-models/node`): probing local files, and Node's DNS for the
 * private-network check. The package root stays free of Node APIs.
 */
import { open } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import { ProbeError, type ByteReader } from "./byte-reader.js";
import { measure, probeMedia, PROBE_DEFAULTS, type MediaSource, type ProbeNeeds, type ProbeOptions, type ProbeResult } from "./probe.js";
import type { MediaKind } from "./rule-types.js";

export { probeMedia, ProbeError };
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
      if (part.length < length) throw new ProbeError(`data is truncated: needed bytes ${offset}–${offset + length - 1} but the file has ${size}`, "truncated");
      return part;
    },
    peek: readAt,
    size: () => size,
    bytesRead: () => touched,
    close: () => handle.close(),
  };
}

/** Measures a local file (size and, for images, dimensions). */
export async function probeFile(path: string, kind: MediaKind | null = "image", needs: ProbeNeeds = { dimensions: true, size: true }, options: ProbeOptions = {}): Promise<ProbeResult> {
  return measure(await fileReader(path), kind, needs, options.maxBytes ?? PROBE_DEFAULTS.maxBytes);
}
