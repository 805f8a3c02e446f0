/**
 * A media server on 127.0.0.1 for probe tests: serves in-memory files with and without Range support,
 * and misbehaves on request (slow, truncated, lying Content-Length, endless, redirect loops).
 * Counts the body bytes it sends, connections, and connections the client reset, so tests can
 * assert how little a probe read. With `cors`, it answers as a host that allows cross-origin reads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { allowCrossOrigin, serveBytes } from "./serve-media.js";

export interface MediaServer {
  url: (path: string) => string;
  add: (name: string, body: Uint8Array, contentType?: string) => void;
  /** Body bytes sent since the last reset. */
  bytesSent: () => number;
  requests: () => number;
  /** TCP connections accepted since the last reset. */
  connections: () => number;
  /** Connections the client reset (closed with unread data: it stopped reading mid-response). */
  resets: () => number;
  reset: () => void;
  close: () => Promise<void>;
}

type Files = Map<string, { body: Uint8Array; type: string }>;

export async function startMediaServer(options: { cors?: boolean } = {}): Promise<MediaServer> {
  const files: Files = new Map();
  let sent = 0;
  let requests = 0;
  let connections = 0;
  let resets = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (
      options.cors &&
      allowCrossOrigin(req, res, {
        exposeHeaders: "content-range, content-length, accept-ranges",
        allowMethods: "GET, HEAD",
        allowHeaders: "range",
      })
    )
      return;
    serveMode(req, res, files, (n) => (sent += n));
  });
  server.on("connection", (socket) => {
    connections++;
    socket.on("close", (hadError) => void (hadError && resets++));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    add: (name, body, contentType = "application/octet-stream") => void files.set(name, { body, type: contentType }),
    bytesSent: () => sent,
    requests: () => requests,
    connections: () => connections,
    resets: () => resets,
    reset: () => {
      sent = 0;
      requests = 0;
      connections = 0;
      resets = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `/<mode>/<name>`: the file served as the mode says (with or without ranges, or misbehaving). */
function serveMode(req: IncomingMessage, res: ServerResponse, files: Files, count: (n: number) => void): void {
  const url = new URL(req.url ?? "/", "http://x");
  const [, mode, ...rest] = url.pathname.split("/");
  const name = rest.join("/");
  const file = files.get(name);
  switch (mode) {
    case "range":
    case "norange":
      if (!file) return void res.writeHead(404).end();
      return serveBytes(req, res, file.body, { contentType: file.type, ranges: mode === "range", onBytes: count });
    case "slow": // headers, then nothing
      res.writeHead(200, { "content-type": "image/png", "content-length": 1000 });
      res.flushHeaders();
      return;
    case "truncated": {
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": file.type, "content-length": file.body.length });
      const half = file.body.subarray(0, Math.floor(file.body.length / 2));
      count(half.length);
      res.write(half, () => res.destroy());
      return;
    }
    case "lying": // declares fewer bytes than the file has: the client sees a cut-off body
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": file.type, "content-length": 10 });
      count(10);
      return void res.end(file.body.subarray(0, 10));
    case "endless": {
      // A JPEG start followed by application segments forever: a probe never reaches a frame header.
      res.writeHead(200, { "content-type": "image/jpeg" });
      res.write(Uint8Array.from([0xff, 0xd8]));
      const chunk = new Uint8Array(0xffff + 2).fill(0);
      chunk.set([0xff, 0xe1, 0xff, 0xff]);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) count(chunk.length);
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      return pump();
    }
    case "loop":
      return void res.writeHead(302, { location: url.pathname }).end();
    case "redirect":
      return void res.writeHead(302, { location: url.searchParams.get("to") ?? "/" }).end();
    case "status":
      return void res.writeHead(Number(name) || 500).end("nope");
    default:
      return void res.writeHead(404).end();
  }
}
