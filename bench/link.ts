/**
 * A simulated network link on 127.0.0.1 for the probe benchmark: a TCP proxy that delays every byte
 * by half the round-trip time in each direction, limits each direction's bandwidth, charges a new
 * connection one round trip for its handshake, delivers in packets of one TCP segment (so the first
 * bytes of a long answer arrive a segment's transmission time after it starts, as on a real path,
 * not after a large block's), and reads from the server only as fast as the link drains (about one
 * bandwidth-delay product in flight). TCP's slow start is not modelled. The origin server counts
 * the bytes it actually wrote to its sockets (what the kernel accepted, not what was handed to
 * `res.end()`), and the proxy counts the bytes that crossed the link.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { serveBytes } from "../generator/mock/serve-media.js";

export interface LinkOptions {
  rttMs: number;
  /** Bytes per second, each direction. */
  bytesPerSecond: number;
}

/** Payload of one packet: a TCP segment on an Ethernet path (1500-byte MTU less IP and TCP headers). */
export const SEGMENT_BYTES = 1460;

export interface Link {
  port: number;
  /** Bytes that crossed the link towards the client since the last reset. */
  bytesDelivered(): number;
  /** Drops every open connection (so the next measurement starts without a warm connection). */
  dropConnections(): void;
  reset(): void;
  close(): Promise<void>;
}

/** One direction of the link: a queue with a bandwidth limit and a fixed delay, delivered in order by one timer. */
function direction(rate: number, delayMs: number, deliver: (chunk: Buffer) => void, onDrain: () => void) {
  let freeAt = 0;
  let inFlight = 0;
  const queue: { due: number; piece: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer || !queue.length) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        const now = performance.now();
        while (queue.length && queue[0].due <= now + 0.5) {
          const { piece } = queue.shift()!;
          inFlight -= piece.length;
          deliver(piece);
        }
        onDrain();
        arm();
      },
      Math.max(0, queue[0].due - performance.now()),
    );
  };
  return {
    inFlight: () => inFlight,
    send(chunk: Buffer, notBefore = 0) {
      for (let at = 0; at < chunk.length; at += SEGMENT_BYTES) {
        const piece = chunk.subarray(at, at + SEGMENT_BYTES);
        const start = Math.max(performance.now(), freeAt, notBefore);
        freeAt = start + (piece.length / rate) * 1000;
        inFlight += piece.length;
        queue.push({ due: freeAt + delayMs, piece });
      }
      arm();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
    },
  };
}

export async function startLink(targetPort: number, options: LinkOptions): Promise<Link> {
  const oneWay = options.rttMs / 2;
  const window = (options.bytesPerSecond * options.rttMs) / 1000 + 16 * 1024;
  const sockets = new Set<Socket>();
  let delivered = 0;
  const server = createServer((client) => {
    const opened = performance.now();
    const upstream = connect(targetPort, "127.0.0.1");
    // The link times every packet itself: Nagle's algorithm on loopback (whose segments are 64 KiB)
    // would hold a packet back until the previous one is acknowledged, up to the 40 ms delayed ACK.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const stopAll = () => {
      up.stop();
      down.stop();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // Client → server: the first bytes wait for the handshake's round trip.
    const up = direction(
      options.bytesPerSecond,
      oneWay,
      (c) => upstream.write(c),
      () => {},
    );
    const down = direction(
      options.bytesPerSecond,
      oneWay,
      (c) => {
        delivered += c.length;
        if (!client.destroyed) client.write(c);
      },
      () => {
        if (down.inFlight() < window) upstream.resume();
      },
    );
    client.on("data", (c) => up.send(c, opened + options.rttMs));
    upstream.on("data", (c) => {
      down.send(c);
      if (down.inFlight() >= window) upstream.pause();
    });
    client.on("close", stopAll);
    upstream.on("close", () => setTimeout(stopAll, options.rttMs + 1000 * (down.inFlight() / options.bytesPerSecond)));
    client.on("error", stopAll);
    upstream.on("error", stopAll);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    bytesDelivered: () => delivered,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    reset: () => void (delivered = 0),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface CountingOrigin {
  port: number;
  add(name: string, body: Uint8Array, type: string): void;
  /** Bytes the server's sockets accepted since the last reset (headers included), open sockets too. */
  bytesWritten(): number;
  requests(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Serves files at /range/<name> (Range honoured) and /norange/<name> (always the whole file). */
export async function startCountingOrigin(): Promise<CountingOrigin> {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  const open = new Set<Socket>();
  let closedBytes = 0;
  let requests = 0;
  // Written to the kernel: what the socket counts minus what still waits in Node's own buffer.
  const written = (s: Socket) => s.bytesWritten - s.writableLength;
  const server: Server = createHttpServer((req, res) => {
    requests++;
    const [, mode, ...rest] = new URL(req.url ?? "/", "http://x").pathname.split("/");
    const file = files.get(rest.join("/"));
    if (!file || (mode !== "range" && mode !== "norange")) return void res.writeHead(404).end();
    serveBytes(req, res, file.body, { contentType: file.type, ranges: mode === "range" });
  });
  let epoch = 0;
  server.on("connection", (s) => {
    open.add(s);
    const born = epoch;
    let last = 0;
    const sample = () => (last = Math.max(last, written(s)));
    s.on("data", sample);
    s.on("drain", sample);
    s.on("close", () => {
      open.delete(s);
      if (born === epoch) closedBytes += Math.max(last, s.bytesWritten - s.writableLength);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    add: (name, body, type) => void files.set(name, { body, type }),
    bytesWritten: () => closedBytes + [...open].reduce((n, s) => n + written(s), 0),
    requests: () => requests,
    reset: () => {
      epoch++;
      for (const s of open) s.destroy();
      open.clear();
      closedBytes = 0;
      requests = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
