/**
 * The probe's HTTP transport under Node: a GET over one HTTP/1.1 connection that reads the network
 * 4 KiB at a time, and only when the body is read. With the global fetch a server that ignores Range
 * pushes the file in 64 KiB socket reads, so a probe that needs 1 KiB of header still takes 64 KiB;
 * here it takes the header plus at most 4 KiB. Node's sockets are loaded on first use (no static Node
 * import), so the package root stays web-standard; elsewhere the probe uses the global fetch.
 *
 * Scope: what the probe asks for — GET, no request body, `Connection: close`, identity encoding,
 * redirects returned (never followed). Bodies framed by Content-Length, chunked encoding or close.
 */

import { concatBytes } from "./byte-reader.js";

/** Bytes read from the socket per read: the most a probe overshoots what it needs. */
export const READ_SIZE = 4096;
/** Largest response head accepted. */
const MAX_HEAD = 64 * 1024;

export interface SmallReadInit {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

type NetModules = { net: typeof import("node:net"); tls: typeof import("node:tls") };
let modules: Promise<NetModules> | undefined;
function nodeNet(): Promise<NetModules> {
  // Variable specifiers: bundlers leave them alone, and non-Node platforms never reach this.
  const netSpecifier = "node:net";
  const tlsSpecifier = "node:tls";
  modules ??= Promise.all([import(/* @vite-ignore */ netSpecifier), import(/* @vite-ignore */ tlsSpecifier)]).then(([net, tls]) => ({ net, tls }) as NetModules);
  return modules;
}

/** Whether this runs under Node (so Node's modules, and `smallReadFetch`, can be used). */
export const runsOnNode = () => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/** One connection's incoming bytes, pulled a read at a time. */
interface Connection {
  next(): Promise<Uint8Array | null>;
  write(data: string): void;
  destroy(error?: Error): void;
}

async function connect(url: URL, signal: AbortSignal | undefined): Promise<Connection> {
  const { net, tls } = await nodeNet();
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onread = {
    buffer: new Uint8Array(READ_SIZE),
    callback: (n: number, buf: Uint8Array) => {
      queue.push(buf.slice(0, n));
      notify();
      return false; // pause: the next read happens when the body is read further
    },
  };
  const socket =
    url.protocol === "https:"
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ["http/1.1"], onread } as import("node:tls").ConnectionOptions)
      : net.connect({ host, port, onread });
  socket.on("end", () => {
    ended = true;
    notify();
  });
  socket.on("close", () => {
    ended = true;
    notify();
  });
  socket.on("error", (e) => {
    failure ??= e;
    notify();
  });
  const abort = () => socket.destroy(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }));
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort, { once: true });
  socket.on("close", () => signal?.removeEventListener("abort", abort));
  return {
    async next() {
      for (;;) {
        if (queue.length) return queue.shift()!;
        if (failure) throw failure;
        if (ended) return null;
        const arrived = new Promise<void>((resolve) => (wake = resolve));
        socket.resume();
        await arrived;
      }
    },
    write: (data) => void socket.write(data),
    destroy: (error) => void socket.destroy(error),
  };
}

/** Index of CRLF CRLF in bytes, or -1. */
function headEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  return -1;
}

/** Status and headers of a response head. */
function parseHead(text: string): { status: number; statusText: string; headers: Headers } {
  const lines = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new TypeError(`not an HTTP/1.x response: ${JSON.stringify(lines[0].slice(0, 60))}`);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new TypeError(`malformed response header: ${JSON.stringify(line.slice(0, 60))}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(m[1]), statusText: m[2] ?? "", headers };
}

/**
 * A fetch-shaped GET for the probe: `Response` with status, headers and a body that reads the
 * socket only as it is read (4 KiB per read). Cancelling the body closes the connection.
 */
export async function smallReadFetch(input: URL | string, init: SmallReadInit = {}): Promise<Response> {
  const url = new URL(String(input));
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`cannot fetch ${url.protocol} URLs`);
  const target = `${url.pathname || "/"}${url.search}`;
  const extra = Object.entries(init.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`);
  if (/[\r\n]/.test(target + extra.join("").slice(0, -2))) throw new TypeError("line breaks in the request");
  const conn = await connect(url, init.signal);
  conn.write(`GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: runcomfy-models-probe\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n${extra.join("")}\r\n`);

  let pending: Uint8Array = new Uint8Array(0);
  let end = -1;
  while ((end = headEnd(pending)) < 0) {
    if (pending.length > MAX_HEAD) {
      conn.destroy();
      throw new TypeError(`response head larger than ${MAX_HEAD} bytes`);
    }
    const chunk = await conn.next();
    if (!chunk) throw new TypeError("the connection closed before a response");
    pending = concatBytes([pending, chunk]);
  }
  const head = parseHead(new TextDecoder("latin1").decode(pending.subarray(0, end - 4)));
  if (head.status < 200) {
    conn.destroy();
    throw new TypeError(`unexpected informational response ${head.status}`);
  }
  const encoding = head.headers.get("content-encoding");
  if (encoding && encoding.toLowerCase() !== "identity") {
    conn.destroy();
    throw new TypeError(`the server sent ${encoding}-encoded bytes although asked for identity`);
  }
  const nullBody = head.status === 204 || head.status === 205 || head.status === 304;
  if (nullBody) conn.destroy();
  const body = nullBody ? null : bodyStream(conn, pending.subarray(end), head.headers);
  return new Response(body, { status: head.status, statusText: head.statusText, headers: head.headers });
}

/** The response body as a pull stream, framed by chunked encoding, Content-Length or the connection's end. */
function bodyStream(conn: Connection, first: Uint8Array, headers: Headers): ReadableStream<Uint8Array> {
  let buffered = first;
  const more = async (): Promise<boolean> => {
    const chunk = await conn.next();
    if (!chunk) return false;
    buffered = buffered.length ? concatBytes([buffered, chunk]) : chunk;
    return true;
  };
  const chunked = /(?:^|,)\s*chunked\s*$/i.test(headers.get("transfer-encoding") ?? "");
  const declared = headers.get("content-length");
  let remaining = !chunked && declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  let chunkLeft = 0;
  let done = false;

  /** Bytes of the next chunk-size line, after waiting for it whole. */
  const chunkSize = async (): Promise<number> => {
    let nl: number;
    while ((nl = buffered.indexOf(10)) < 0) if (!(await more())) throw new TypeError("the connection closed inside a chunk header");
    const line = new TextDecoder("latin1").decode(buffered.subarray(0, nl)).replace(/\r$/, "");
    buffered = buffered.subarray(nl + 1);
    const size = /^([0-9a-fA-F]+)(?:;.*)?$/.exec(line.trim());
    if (!size) throw new TypeError(`malformed chunk header ${JSON.stringify(line.slice(0, 40))}`);
    return parseInt(size[1], 16);
  };

  const nextPiece = async (): Promise<Uint8Array | null> => {
    if (done) return null;
    if (chunked) {
      if (chunkLeft === 0) {
        chunkLeft = await chunkSize();
        if (chunkLeft === 0) {
          done = true;
          return null;
        }
      }
      if (!buffered.length && !(await more())) throw new TypeError("the connection closed inside a chunk");
      const piece = buffered.subarray(0, Math.min(chunkLeft, buffered.length));
      buffered = buffered.subarray(piece.length);
      chunkLeft -= piece.length;
      if (chunkLeft === 0) {
        while (buffered.length < 2) if (!(await more())) throw new TypeError("the connection closed after a chunk");
        buffered = buffered.subarray(2); // the CRLF closing the chunk
      }
      return piece;
    }
    if (remaining === 0) {
      done = true;
      return null;
    }
    if (!buffered.length && !(await more())) {
      done = true;
      if (remaining !== undefined) throw new TypeError(`the connection closed ${remaining} bytes before the declared end`);
      return null;
    }
    const piece = remaining === undefined ? buffered : buffered.subarray(0, Math.min(remaining, buffered.length));
    buffered = buffered.subarray(piece.length);
    if (remaining !== undefined) remaining -= piece.length;
    return piece;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await nextPiece();
          if (piece) controller.enqueue(piece.slice());
          else {
            conn.destroy();
            controller.close();
          }
        } catch (e) {
          conn.destroy();
          controller.error(e);
        }
      },
      cancel() {
        conn.destroy();
      },
    },
    // Nothing is read ahead: the socket is read only when the body is.
    { highWaterMark: 0 },
  );
}
