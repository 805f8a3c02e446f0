/**
 * The generated package in a real browser: headless Chromium from the system's packages (Debian's
 * `chromium`; `.ci/run` installs it), driven by puppeteer-core (no browser download). A page bundling
 * the package (esbuild) validates images on local hosts with and without CORS headers and submits a
 * job to the emulator, which answers CORS preflights. Chromium resolves no names and reaches only
 * 127.0.0.1 here (--host-resolver-rules), and runs with a fresh profile.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { png } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { ROOT, SCHEMAS, tempDir } from "../helpers.js";

/** The browser: CHROMIUM_PATH, else where Debian, Ubuntu and Chrome packages put it. */
const CHROMIUM = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
].find((p): p is string => !!p && existsSync(p));
const TOKEN = "rc-browser-token-31c9";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

let browser: Browser;
let page: Page;
let pageServer: Server;
let plain: MediaServer;
let cors: MediaServer;
let emulator: Emulator;
const profile = tempDir("rcg-chromium-");

/** The page's script: the generated package bundled for the browser, exposed as window.rc. */
async function bundle(): Promise<string> {
  const entry = `import { validate, createClient } from ${JSON.stringify(path.join(ROOT, "generated", "index.js"))}; window.rc = { validate, createClient };`;
  const out = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: "page.js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error(
      "no Chromium found (CHROMIUM_PATH, /usr/bin/chromium, chromium-browser, google-chrome): install Debian's chromium (apt-get install -y chromium; .ci/run does it) or set CHROMIUM_PATH",
    );
  const script = await bundle();
  pageServer = createServer((req, res) => {
    if (req.url === "/page.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    res
      .writeHead(200, { "content-type": "text/html" })
      .end('<!doctype html><meta charset="utf-8"><title>runcomfy-models</title><script src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  plain = await startMediaServer();
  cors = await startMediaServer({ cors: true });
  for (const s of [plain, cors]) {
    s.add("square.png", png(1000, 1000), "image/png");
    s.add("huge.png", png(5000, 5000), "image/png");
    s.add("tiny.png", png(200, 200), "image/png");
  }
  emulator = await startEmulator({ schemasDir: SCHEMAS, queueMs: 50, runMs: 50, token: TOKEN });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, userDataDir: profile.dir });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => "rc" in window);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  // Whatever beforeAll got to: a missing browser fails the file at once instead of hanging here.
  await Promise.all([
    plain?.close(),
    cors?.close(),
    emulator?.close(),
    pageServer && new Promise((r) => pageServer.close(r)),
  ]);
  profile.cleanup();
});

type Result = { valid: boolean; issues: { path: string; severity: string; message: string }[] };
/** Runs validate in the page. */
const validateInPage = (modelId: string, input: Record<string, unknown>, options: Record<string, unknown> = {}) =>
  page.evaluate(
    (id: string, value: Record<string, unknown>, extra: Record<string, unknown>) =>
      (window as unknown as { rc: { validate: (...a: unknown[]) => Promise<unknown> } }).rc.validate(id, value, {
        allowHttp: true,
        ...extra,
        probe: { allowPrivateNetwork: true, timeoutMs: 5000 },
      }),
    modelId,
    input,
    options,
  ) as Promise<Result>;

describe("in headless Chromium", () => {
  it("an image on a host without CORS headers: valid, with a warning that says why and what to do", async () => {
    const r = await validateInPage("bytedance/dreamina-4-0/edit", {
      prompt: "p",
      image_urls: [plain.url("/range/square.png")],
    });
    expect(r.valid).toBe(true);
    expect(r.issues).toEqual([expect.objectContaining({ path: "/image_urls/0", severity: "warning" })]);
    expect(r.issues[0].message).toMatch(
      /^media rules not checked here: the browser could not read it .*Access-Control-Allow-Origin.*validate on a server/,
    );
  });

  it('the same image with probeFailures: "error" is refused', async () => {
    const r = await validateInPage(
      "bytedance/dreamina-4-0/edit",
      { prompt: "p", image_urls: [plain.url("/range/square.png")] },
      { probeFailures: "error" },
    );
    expect(r.valid).toBe(false);
    expect(r.issues[0].severity).toBe("error");
  });

  it("on a host with CORS headers the image is measured and checked: a fitting one passes, a too-large and a too-small one are refused", async () => {
    const fits = await validateInPage("bytedance/dreamina-4-0/edit", {
      prompt: "p",
      image_urls: [cors.url("/range/square.png")],
    });
    expect(fits).toEqual({ valid: true, issues: [] });
    const huge = await validateInPage("bytedance/dreamina-4-0/edit", {
      prompt: "p",
      image_urls: [cors.url("/range/huge.png")],
    });
    expect(huge.valid).toBe(false);
    expect(huge.issues.map((i) => i.message).join("\n")).toMatch(
      /Maximum resolution is 4096x4096\. \(measured width = 5000/,
    );
    const tiny = await validateInPage("bytedance/dreamina-3-0/pro/image-to-video", {
      prompt: "p",
      image_urls: [cors.url("/norange/tiny.png")],
    });
    expect(tiny.valid).toBe(false);
    expect(tiny.issues.map((i) => i.message).join("\n")).toMatch(/measured width = 200/);
  });

  it("a job submitted to the emulator from the page completes (its image on a host without CORS: warned, then submitted)", async () => {
    const before = emulator.jobs().length;
    const { output, warnings } = await page.evaluate(
      async (baseUrl, token, image) => {
        const { createClient } = (
          window as unknown as { rc: { createClient: (o: unknown) => { run: (...a: unknown[]) => Promise<unknown> } } }
        ).rc;
        const warnings: string[] = [];
        const onValidationWarnings = (issues: { message: string }[]) => warnings.push(...issues.map((i) => i.message));
        const client = createClient({
          token,
          baseUrl,
          onValidationWarnings,
          validate: { allowHttp: true, probe: { allowPrivateNetwork: true, timeoutMs: 5000 } },
        });
        const output = await client.run(
          "bytedance/dreamina-4-0/edit",
          { prompt: "make it blue", image_urls: [image] },
          { pollIntervalMs: 50, timeoutMs: 30_000 },
        );
        return { output, warnings };
      },
      emulator.baseUrl,
      TOKEN,
      plain.url("/range/square.png"),
    );
    expect(output).toEqual({ image: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/media\//) });
    expect(warnings).toEqual([expect.stringMatching(/^media rules not checked here: .*CORS/)]);
    expect(emulator.jobs().length).toBe(before + 1);
  });
});
