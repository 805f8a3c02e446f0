/**
 * The emulator checks submits with the package's own format checks (one ajv setup, shared/ajv.ts):
 * a date-time, date, email or uuid the shipped validator refuses is refused by the emulator too,
 * while media URLs are taken as the service takes them (plain http and data URIs as well).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { normalizeInputSchema } from "../../generator/normalize/normalize.js";
import { compileInputValidator } from "../../generator/shared/ajv.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-emulator-formats-");
const inputSchema = {
  type: "object",
  properties: {
    at: { type: "string", format: "date-time" },
    day: { type: "string", format: "date" },
    contact: { type: "string", format: "email" },
    id: { type: "string", format: "uuid" },
    image_url: { type: "string", format: "image_uri" },
  },
};
let emulator: Emulator;
beforeAll(async () => {
  const schemasDir = path.join(tmp.dir, "schemas");
  mkdirSync(path.join(schemasDir, "acme"), { recursive: true });
  writeFileSync(
    path.join(schemasDir, "acme", "formats.json"),
    JSON.stringify({ model_id: "acme/formats", input_schema: inputSchema }),
  );
  emulator = await startEmulator({ schemasDir });
});
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

const submit = async (input: object) => {
  const res = await fetch(`${emulator.baseUrl}/models/acme/formats`, {
    method: "POST",
    headers: { authorization: "Bearer t", "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  await res.body?.cancel();
  return res.status;
};
const shipped = compileInputValidator(normalizeInputSchema(inputSchema, "schemas/acme/formats.json").schema).validate;

describe("the emulator's format checks", () => {
  it.each([
    ["date-time", { at: "yesterday" }],
    ["date", { day: "2026-02-30" }],
    ["email", { contact: "not an address" }],
    ["uuid", { id: "1234" }],
  ])("refuses a %s the package refuses", async (_format, input) => {
    expect(shipped(input)).toBe(false);
    expect(await submit(input)).toBe(400);
  });

  it("accepts well-formed values, and media as the service takes it (http, data URIs)", async () => {
    const good = {
      at: "2026-12-08T04:00:00Z",
      day: "2026-02-28",
      contact: "a@example.com",
      id: "123e4567-e89b-12d3-a456-426614174000",
    };
    expect(shipped(good)).toBe(true);
    expect(await submit(good)).toBe(200);
    expect(await submit({ image_url: "http://127.0.0.1/a.png" })).toBe(200);
    expect(await submit({ image_url: "data:image/png;base64,AAAA" })).toBe(200);
    expect(await submit({ image_url: "ftp://example.com/a.png" })).toBe(400);
  });
});
