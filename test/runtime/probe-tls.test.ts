/**
 * The probe over TLS, run in a child process that trusts the test certificate (NODE_EXTRA_CA_CERTS is
 * read at start-up): the socket goes to the checked address while TLS sends SNI and verifies the
 * certificate for the host name; an https URL that redirects to plain http is refused unless allowed.
 * The child imports the generated package itself (generated/runtime/core.js).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { png } from "../../generator/mock/images.js";
import { startMediaServer, type MediaServer } from "../../generator/mock/media-server.js";
import { ROOT } from "../helpers.js";

const TLS = path.join(ROOT, "test", "fixtures", "tls");
const CORE = pathToFileURL(path.join(ROOT, "generated", "runtime", "core.js")).href;

let plain: MediaServer;
let httpsPort = 0;
const servernames: (string | false | null)[] = [];
let close: () => void;

beforeAll(async () => {
  plain = await startMediaServer();
  plain.add("image.png", png(320, 200));
  const image = png(640, 480);
  const server = createServer(
    { key: readFileSync(path.join(TLS, "key.pem")), cert: readFileSync(path.join(TLS, "cert.pem")) },
    (req, res) => {
      servernames.push((req.socket as import("node:tls").TLSSocket).servername);
      if (req.url === "/down")
        return void res
          .writeHead(302, { location: plain.url("/range/image.png").replace("127.0.0.1", "localhost") })
          .end();
      res.writeHead(200, { "content-type": "image/png", "content-length": image.length }).end(image);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  httpsPort = (server.address() as AddressInfo).port;
  close = () => (server.closeAllConnections(), server.close());
});
afterAll(async () => {
  close();
  await plain.close();
});

/** Probes each URL in a child process that trusts the test certificate; the outcome of each. */
function probeInChild(cases: { url: string; options: Record<string, unknown> }[]): Promise<Record<string, unknown>[]> {
  const script = `
    const { probeMedia } = await import(${JSON.stringify(CORE)});
    const cases = JSON.parse(process.argv[1]);
    const out = [];
    for (const c of cases) out.push(await probeMedia(c.url, "image", { dimensions: true, size: true }, c.options).then((r) => ({ width: r.width }), (e) => ({ code: e.code, message: e.message })));
    console.log(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script, JSON.stringify(cases)],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(TLS, "cert.pem") }, timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe("probe over TLS", () => {
  it("verifies the certificate for the host name, sends SNI, and refuses https → http unless allowed", async () => {
    const local = { allowPrivateNetwork: true, timeoutMs: 5000 };
    const [byName, byAddress, downgrade, allowed] = await probeInChild([
      { url: `https://localhost:${httpsPort}/image.png`, options: local },
      { url: `https://127.0.0.1:${httpsPort}/image.png`, options: local },
      { url: `https://localhost:${httpsPort}/down`, options: local },
      { url: `https://localhost:${httpsPort}/down`, options: { ...local, allowHttp: true } },
    ]);
    expect(byName).toEqual({ width: 640 });
    // The certificate names localhost only: reaching the same server by address fails verification.
    expect(byAddress).toMatchObject({
      code: "network",
      message: expect.stringMatching(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/),
    });
    expect(downgrade).toMatchObject({ code: "refused", message: expect.stringMatching(/from https to plain http/) });
    expect(allowed).toEqual({ width: 320 });
    expect(servernames.filter((s) => s === "localhost").length).toBeGreaterThanOrEqual(3);
  });
});
