/**
 * The forward-only stream reader (runtime/byte-reader.ts) against the whole-buffer reader as the
 * oracle: any chunking of the same bytes and any forward sequence of reads and peeks give the same
 * answers, skipped bytes included (a skip lands before, across or after chunk boundaries).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesReader, streamReader, type ByteReader } from "../../generator/runtime/media/byte-reader.js";

async function* chunked(bytes: Uint8Array, sizes: number[]) {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

const answer = (reader: ByteReader, op: "read" | "peek", offset: number, length: number) =>
  reader[op](offset, length).then(
    (b) => ({ ok: [...b] }),
    (e: Error) => ({ error: (e as { code?: string }).code ?? e.message }),
  );

describe("streamReader", () => {
  it("answers forward reads and peeks as a reader over the whole bytes, however the stream is chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        fc.array(
          fc.tuple(fc.constantFrom("read" as const, "peek" as const), fc.nat(60), fc.integer({ min: 1, max: 50 })),
          {
            maxLength: 8,
          },
        ),
        async (bytes, sizes, steps) => {
          const stream = streamReader(chunked(bytes, sizes), { size: bytes.length, maxBytes: Infinity });
          const whole = bytesReader(bytes);
          let offset = 0;
          for (const [op, gap, length] of steps) {
            offset += gap;
            expect(await answer(stream, op, offset, length)).toEqual(await answer(whole, op, offset, length));
          }
        },
      ),
      { numRuns: 500, seed: 15 },
    );
  });
  it("skips a long segment without holding it: only bytes from the asked offset on are kept", async () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i & 255);
    const stream = streamReader(chunked(bytes, [1460]), { maxBytes: Infinity });
    expect([...(await stream.read(2, 3))]).toEqual([2, 3, 4]);
    expect([...(await stream.read(90_001, 2))]).toEqual([90_001 & 255, 90_002 & 255]);
    await expect(stream.read(10, 1)).rejects.toThrow(/forward-only/);
    expect(stream.bytesRead()).toBeLessThanOrEqual(90_003 + 1460);
  });
});
