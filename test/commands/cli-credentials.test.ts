/**
 * Credentials as the CLI's process reads them: a password in the base URL, a token file that is not a
 * small regular file, a token too short to redact safely, and a token that is part of the protocol's
 * own words. Against the emulator on 127.0.0.1.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { createClient, NetworkError, RunComfyError } from "../../generated/index.js";
import { SCHEMAS, tempDir } from "../helpers.js";
import { runCliProcess } from "./cli-process.js";

const TOKEN = "rc-credentials-token-9f3e";
const EXIT_USAGE = 2;
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const tmp = tempDir();
const input = path.join(tmp.dir, "input.json");
writeFileSync(input, JSON.stringify({ prompt: "a teapot" }));
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
  tmp.cleanup();
});

/** The CLI with no token in its environment but the ones given (and no real token file). */
const cli = (args: string[], env: Record<string, string>) =>
  runCliProcess(args, { RUNCOMFY_API_TOKEN: "", RUNCOMFY_TOKEN: "", RUNCOMFY_CONFIG_DIR: tmp.dir, ...env });

describe("a user name or password in the base URL", () => {
  it("is a usage error (exit 2) that never prints them, from the flag or the environment", async () => {
    const withPassword = emulator.baseUrl.replace("http://", "http://alice:pa55word@");
    for (const [args, env] of [
      [["status", "req_1", "--base-url", withPassword], { RUNCOMFY_API_TOKEN: TOKEN }],
      [["status", "req_1"], { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: withPassword }],
      [["run", T2V, input, "--json"], { RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_MODEL_API_BASE: withPassword }],
    ] as const) {
      const r = await cli([...args], env);
      expect(r.code, r.stderr + r.stdout).toBe(EXIT_USAGE);
      expect(r.stderr + r.stdout).toMatch(/user name or password/);
      expect(r.stderr + r.stdout).not.toMatch(/pa55word|alice/);
    }
    expect(emulator.jobs()).toEqual([]);
  });

  it("is refused by createClient as a setup error, not a network failure, for baseUrl and proxyUrl", () => {
    for (const options of [
      { baseUrl: "http://u:pa55word@127.0.0.1:9/v1" },
      { proxyUrl: "https://u:pa55word@app.test/api" },
    ]) {
      let error: unknown;
      try {
        createClient({ token: TOKEN, ...options });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RunComfyError);
      expect(error).not.toBeInstanceOf(NetworkError);
      expect(String((error as Error).message)).not.toContain("pa55word");
    }
  });
});

describe("the official CLI's token file", () => {
  const configDir = (name: string, write: (file: string) => void) => {
    const dir = path.join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    write(path.join(dir, "token.json"));
    return dir;
  };

  it("is read only when it is a regular file of at most 64 KiB", async () => {
    // Valid JSON holding the right token, padded past the limit: refused before it is parsed.
    const big = configDir("big", (f) => writeFileSync(f, `{"access_token": "${TOKEN}"${" ".repeat(64 * 1024)}}`));
    const r = await cli(["status", "req_1", "--base-url", emulator.baseUrl], { RUNCOMFY_CONFIG_DIR: big });
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain("larger than 65536 bytes");
    expect(r.stderr).toContain(path.join(big, "token.json"));
    // A link to a device that never ends is refused before a byte is read.
    const zero = configDir("zero", (f) => symlinkSync("/dev/zero", f));
    const z = await cli(["status", "req_1", "--base-url", emulator.baseUrl], { RUNCOMFY_CONFIG_DIR: zero });
    expect(z.code, z.stderr).toBe(EXIT_USAGE);
    expect(z.stderr).toContain("not a regular file");
    // A small one (here through a link to a regular file) works as before.
    const real = configDir("real-target", (f) => writeFileSync(f, JSON.stringify({ access_token: TOKEN })));
    const linked = configDir("linked", (f) => symlinkSync(path.join(real, "token.json"), f));
    const ok = await cli(["status", "req_1", "--base-url", emulator.baseUrl], { RUNCOMFY_CONFIG_DIR: linked });
    expect(ok.stderr).not.toContain("token file");
    expect(ok.stderr).toMatch(/req_1/); // the emulator's "no such job": the token was sent and accepted
  });
});

describe("tokens and redaction", () => {
  it("a token shorter than 8 characters is refused with a clear message (it would garble answers)", async () => {
    const short = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token: "t" });
    try {
      for (const env of [{ RUNCOMFY_API_TOKEN: "t" }, { RUNCOMFY_TOKEN: "t" }] as Record<string, string>[]) {
        const r = await cli(["run", T2V, input, "--base-url", short.baseUrl], env);
        expect(r.code, r.stderr).toBe(EXIT_USAGE);
        expect(r.stderr).toMatch(/token from RUNCOMFY(_API)?_TOKEN is 1 character long, shorter than 8/);
      }
      expect(short.jobs()).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it("redaction never rewrites the protocol's own keys: a token spelled like one still runs a job", async () => {
    // Contrived on purpose: the token is a protocol key, so every answer holds it.
    const token = "request_id";
    const e = await startEmulator({ schemasDir: SCHEMAS, queueMs: 0, runMs: 0, token });
    try {
      const r = await cli(["run", T2V, input, "--base-url", e.baseUrl, "--json"], { RUNCOMFY_API_TOKEN: token });
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout);
      expect(printed.requestId).toBe(e.jobs()[0].requestId);
      expect(printed.output.video).toMatch(/\.mp4$/);
    } finally {
      await e.close();
    }
  });
});
