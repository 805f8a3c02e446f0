/** The emulator bounds request bodies: 413 with an error_code, without reading the rest, and stays up. */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { SCHEMAS } from "../helpers.js";

const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const LIMIT = 1024 * 1024;
let emulator: Emulator;
beforeAll(async () => (emulator = await startEmulator({ schemasDir: SCHEMAS, maxBodyBytes: LIMIT })));
afterAll(() => emulator.close());

/** POSTs a body of `size` bytes in 64 KiB chunks (chunked unless `declare`), stopping when the server answers. */
function post(size: number, declare: boolean): Promise<{ status: number; body: string; written: number }> {
  const url = new URL(`${emulator.baseUrl}/models/${T2V}`);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          authorization: "Bearer t",
          "content-type": "application/json",
          ...(declare ? { "content-length": String(size) } : {}),
        },
      },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, written }));
        res.on("error", reject);
      },
    );
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!answered && written < size) {
        const n = Math.min(chunk.length, size - written);
        written += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("emulator request bodies", () => {
  it("answers 413 with an error_code to a declared oversize body, and to a streamed one, and stays up", async () => {
    const declared = await post(LIMIT * 50, true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error_code: 413001 });
    const streamed = await post(LIMIT * 50, false);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error_code: 413001 });
    // It stopped reading: the client could not push the whole body through.
    expect(streamed.written).toBeLessThan(LIMIT * 50);
    const ok = await fetch(`${emulator.baseUrl}/models/${T2V}`, {
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: JSON.stringify({ prompt: "after" }),
    });
    expect(ok.status).toBe(200);
    expect(emulator.stats().submits).toBe(1);
  });

  it("accepts a body just under the bound", async () => {
    const prompt = "p".repeat(LIMIT - 100);
    const ok = await fetch(`${emulator.baseUrl}/models/${T2V}`, {
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: JSON.stringify({ prompt }),
    });
    expect(ok.status).not.toBe(413);
  });
});
