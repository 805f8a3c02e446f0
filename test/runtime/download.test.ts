/** downloadToFile (`run --download`): the probe's address guard, one deadline, a size cap, streaming to a new file. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { png } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { downloadToFile } from "../../generator/runtime/node.js";
import { tempDir } from "../helpers.js";
import { takeBlocked } from "../net-guard.js";

const tmp = tempDir();
const IMAGE = png(300, 200, { totalBytes: 500_000 });
let media: MediaServer;
beforeAll(async () => {
  media = await startMediaServer();
  media.add("out.png", IMAGE);
});
afterAll(async () => {
  await media.close();
  tmp.cleanup();
});
const file = (name: string) => path.join(tmp.dir, name);
const local = { allowPrivateNetwork: true, timeoutMs: 5000 };

describe("downloadToFile", () => {
  it("streams the file to disk", async () => {
    const saved = await downloadToFile(media.url("/norange/out.png"), file("a.png"), local);
    expect(saved.bytes).toBe(IMAGE.length);
    expect(Buffer.compare(readFileSync(file("a.png")), Buffer.from(IMAGE))).toBe(0);
  });

  it("never overwrites an existing file", async () => {
    writeFileSync(file("mine.png"), "precious");
    await expect(downloadToFile(media.url("/norange/out.png"), file("mine.png"), local)).rejects.toMatchObject({
      code: "exists",
    });
    expect(readFileSync(file("mine.png"), "utf8")).toBe("precious");
  });

  it("refuses loopback and private addresses unless allowed, and leaves no file", async () => {
    await expect(
      downloadToFile(media.url("/norange/out.png"), file("b.png"), { timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: "refused" });
    expect(existsSync(file("b.png"))).toBe(false);
  });

  it("connects only to the address it checked (a rebinding name never reaches the loopback server)", async () => {
    media.reset();
    takeBlocked();
    let calls = 0;
    const resolveHost = async () => (calls++ === 0 ? ["151.101.1.57"] : ["127.0.0.1"]);
    await expect(
      downloadToFile(`http://localhost:${new URL(media.url("/")).port}/norange/out.png`, file("c.png"), {
        resolveHost,
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({ code: "network" });
    expect(media.requests()).toBe(0);
    expect(takeBlocked()).toEqual(["151.101.1.57"]);
  });

  it("stops an endless stream at the size cap and removes the partial file", async () => {
    await expect(
      downloadToFile(media.url("/endless/x.jpg"), file("d.jpg"), { ...local, maxBytes: 300_000 }),
    ).rejects.toMatchObject({ code: "too-large" });
    expect(existsSync(file("d.jpg"))).toBe(false);
  });

  it("refuses a declared size over the cap before writing anything", async () => {
    await expect(
      downloadToFile(media.url("/norange/out.png"), file("e.png"), { ...local, maxBytes: 1000 }),
    ).rejects.toMatchObject({ code: "too-large" });
    expect(existsSync(file("e.png"))).toBe(false);
  });

  it("ends at its deadline, a cut-off answer is an error, and neither leaves a file", async () => {
    await expect(
      downloadToFile(media.url("/slow/x.png"), file("f.png"), { ...local, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: "timeout" });
    expect(existsSync(file("f.png"))).toBe(false);
    await expect(downloadToFile(media.url("/truncated/out.png"), file("g.png"), local)).rejects.toMatchObject({
      code: "network",
    });
    expect(existsSync(file("g.png"))).toBe(false);
    await expect(downloadToFile(media.url("/status/404"), file("h.png"), local)).rejects.toMatchObject({
      code: "http",
    });
  });
});
