/** `run --download` through the address guard, and `--probe-failures` in validate and run. */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { png } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { SCHEMAS, tempDir, captureCli } from "../helpers.js";

const TOKEN = "rc-cli-token-5d1e";
const tmp = tempDir();
let emulator: Emulator;
let media: MediaServer;
beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 50, runMs: 50, token: TOKEN });
  media = await startMediaServer();
  media.add("photo.png", png(1000, 1000));
});
afterAll(async () => {
  await Promise.all([emulator.close(), media.close()]);
  tmp.cleanup();
});

const cli = (argv: string[]) => captureCli(argv, { env: { RUNCOMFY_API_TOKEN: TOKEN } });
const textInput = () => {
  const file = path.join(tmp.dir, "text.json");
  writeFileSync(file, JSON.stringify({ prompt: "a teapot" }));
  return file;
};
const editInput = (url: string) => {
  const file = path.join(tmp.dir, `edit-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ prompt: "make it blue", image_urls: [url] }));
  return file;
};

describe("run --download", () => {
  it("saves each output as <request id>-<output key>.<ext>", async () => {
    const dir = path.join(tmp.dir, "out1");
    const r = await cli([
      "run",
      "bytedance/dreamina-3-0/pro/text-to-video",
      textInput(),
      "--base-url",
      emulator.baseUrl,
      "--download",
      dir,
      "--allow-private-network",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const requestId = /submitted ([0-9a-f-]+)/.exec(r.stderr)![1];
    expect(readdirSync(dir)).toEqual([`${requestId}-video.mp4`]);
    expect(r.stderr).toMatch(new RegExp(`saved .*${requestId}-video\\.mp4 \\(\\d+ bytes\\)`));
  });

  it("goes through the address guard: loopback output URLs are refused without --allow-private-network, and the URLs are still printed", async () => {
    const dir = path.join(tmp.dir, "out2");
    const r = await cli([
      "run",
      "bytedance/dreamina-3-0/pro/text-to-video",
      textInput(),
      "--base-url",
      emulator.baseUrl,
      "--download",
      dir,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^video\thttp:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stderr + r.stdout).toMatch(
      /1 of 1 downloads failed .*\n.*video: .*refused to contact private address 127\.0\.0\.1 \(--allow-private-network allows it\)/,
    );
    // The command line names its flag, not the package's option.
    expect(r.stderr + r.stdout).not.toContain("allowPrivateNetwork");
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe("messages name the command line's flags", () => {
  it("validate: a probe refused a private address says --allow-private-network allows it", async () => {
    const r = await cli([
      "validate",
      "bytedance/dreamina-4-0/edit",
      editInput(media.url("/photo.png")),
      "--allow-http",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/refused to contact private address 127\.0\.0\.1 \(--allow-private-network allows it\)/);
    expect(r.stdout).not.toContain("allowPrivateNetwork");
  });
});

describe("--probe-failures", () => {
  it("validate: a media host answering 503 is a warning by default and an error with --probe-failures error", async () => {
    const input = editInput(media.url("/status/503"));
    const flags = ["--allow-http", "--allow-private-network", "--timeout-ms", "3000"];
    const lenient = await cli(["validate", "bytedance/dreamina-4-0/edit", input, ...flags]);
    expect(lenient.code, lenient.stdout + lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(
      /warning \/image_urls\/0 +media rules not checked here: the server answered HTTP 503/,
    );
    const strict = await cli(["validate", "bytedance/dreamina-4-0/edit", input, ...flags, "--probe-failures", "error"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/error +\/image_urls\/0 +media rules not checked here/);
  });

  it("run: prints the warning and submits; with --probe-failures error it refuses before submitting", async () => {
    const input = editInput(media.url("/status/503"));
    const flags = ["--base-url", emulator.baseUrl, "--allow-http", "--allow-private-network"];
    const before = emulator.jobs().length;
    const lenient = await cli(["run", "bytedance/dreamina-4-0/edit", input, ...flags]);
    expect(lenient.stderr).toMatch(
      /warning \/image_urls\/0 +media rules not checked here: the server answered HTTP 503/,
    );
    expect(emulator.jobs().length).toBe(before + 1);
    const strict = await cli(["run", "bytedance/dreamina-4-0/edit", input, ...flags, "--probe-failures", "error"]);
    expect(strict.code).not.toBe(0);
    expect(emulator.jobs().length).toBe(before + 1);
  });
});
