/** `@path` media values in `validate` and `run`: local files as data URIs, rules checked on the bytes. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { png } from "../../generator/mock/images.js";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import {
  DATA_URI_MAX_BYTES,
  bytesToDataUri,
  checkLocalMedia,
  dataUriLength,
} from "../../generator/runtime/media/data-uri.js";
import { fileToDataUri } from "../../generator/runtime/node.js";
import { EXIT } from "../../generator/commands/context.js";
import { SCHEMAS, captureCli, tempDir } from "../helpers.js";

const tmp = tempDir();
const MODEL = "bytedance/dreamina-4-0/edit";
const TOKEN = "rc-local-media-token";
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token: TOKEN });
  writeFileSync(path.join(tmp.dir, "cat.png"), png(640, 480));
  writeFileSync(path.join(tmp.dir, "huge.png"), png(5000, 4000));
  writeFileSync(path.join(tmp.dir, "clip.mp4"), new Uint8Array(64));
});
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

const inCwd = (argv: string[], stdin: string, env: Record<string, string> = {}) =>
  captureCli(argv, { cwd: tmp.dir, stdin, env });

describe("local files as media (@path)", () => {
  it("validate reads @./file at a media input as a data URI and checks the media rules on its bytes", async () => {
    const ok = await inCwd(
      ["validate", MODEL, "-"],
      JSON.stringify({ prompt: "@mention stays text", image_urls: ["@./cat.png"] }),
    );
    expect(ok.stderr).toMatch(/^\/image_urls\/0: \.\/cat\.png sent as a data URI \(\d+ KiB\)\n$/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid\n/);
    // 5000 px wide: the rule "Maximum resolution is 4096x4096" is measured on the file itself.
    const big = await inCwd(
      ["validate", MODEL, "-", "--json"],
      JSON.stringify({ prompt: "p", image_urls: ["@huge.png"] }),
    );
    expect(big.code).toBe(EXIT.failed);
    expect(JSON.parse(big.stdout).issues).toContainEqual(
      expect.objectContaining({ path: "/image_urls/0", source: "rule", actual: 5000, limit: 4096 }),
    );
  });

  it("a missing file is a usage error; a file of the wrong kind is invalid input", async () => {
    const missing = await inCwd(["validate", MODEL, "-"], JSON.stringify({ prompt: "p", image_urls: ["@./nope.png"] }));
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain("/image_urls/0: cannot read ./nope.png");
    const video = await inCwd(
      ["validate", MODEL, "-", "--json"],
      JSON.stringify({ prompt: "p", image_urls: ["@clip.mp4"] }),
    );
    expect(video.code).toBe(EXIT.failed);
    expect(JSON.parse(video.stdout).error).toMatchObject({
      type: "ValidationError",
      message: "/image_urls/0: clip.mp4 is video/mp4, but this input takes an image",
    });
  });

  it("run sends the file as a data URI to the API", async () => {
    const r = await inCwd(
      ["run", MODEL, "-", "--base-url", emulator.baseUrl, "--json"],
      JSON.stringify({ prompt: "p", image_urls: ["@./cat.png"] }),
      { RUNCOMFY_API_TOKEN: TOKEN },
    );
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).requestId ?? /request ([0-9a-f-]+)/.exec(r.stderr)?.[1];
    const sent = emulator.job(id)?.input as { image_urls: string[] };
    expect(sent.image_urls[0]).toBe(bytesToDataUri(png(640, 480), "image/png"));
  });

  it("the cap: a data URI over 64 MiB is refused before anything is read or sent", async () => {
    expect(dataUriLength(3, "image/png")).toBe("data:image/png;base64,".length + 4);
    expect(() => checkLocalMedia(DATA_URI_MAX_BYTES, "image/png", "image", "big.png")).toThrow(
      /over RunComfy's 64 MiB request cap/,
    );
    expect(checkLocalMedia(1024, "image/png", "image", "small.png")).toBe("image/png");
    expect(() => checkLocalMedia(10, undefined, "image", "x.bin")).toThrow(/cannot tell the media type of x\.bin/);
    await expect(fileToDataUri(path.join(tmp.dir, "cat.png"), { maxBytes: 100 })).rejects.toThrow(/too large to send/);
    expect(await fileToDataUri(path.join(tmp.dir, "cat.png"))).toBe(
      `data:image/png;base64,${Buffer.from(png(640, 480)).toString("base64")}`,
    );
  });
});
