/**
 * Serves an in-memory file over HTTP, with or without Range support, and answers as a host that
 * allows cross-origin reads. Used by the emulator and tests.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ServeOptions {
  contentType: string;
  /** Honour `Range: bytes=a-b` (206 with Content-Range). Default true. */
  ranges?: boolean;
  /** Called with the number of body bytes written, for byte accounting. */
  onBytes?: (n: number) => void;
}

export function serveBytes(req: IncomingMessage, res: ServerResponse, body: Uint8Array, options: ServeOptions): void {
  const write = (status: number, headers: Record<string, string | number>, bytes: Uint8Array) => {
    res.writeHead(status, {
      "content-type": options.contentType,
      "accept-ranges": options.ranges === false ? "none" : "bytes",
      ...headers,
    });
    if (req.method === "HEAD") return void res.end();
    options.onBytes?.(bytes.length);
    res.end(bytes);
  };
  const range = options.ranges === false ? undefined : /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  if (!range) return write(200, { "content-length": body.length }, body);
  let start = range[1] === "" ? body.length - Number(range[2]) : Number(range[1]);
  let end = range[1] === "" || range[2] === "" ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
  if (range[1] === "" && range[2] !== "") end = body.length - 1;
  start = Math.max(0, start);
  if (start >= body.length || start > end) {
    res.writeHead(416, { "content-range": `bytes */${body.length}` });
    return void res.end();
  }
  const part = body.subarray(start, end + 1);
  write(206, { "content-length": part.length, "content-range": `bytes ${start}-${end}/${body.length}` }, part);
}

/**
 * As a host that allows cross-origin reads: the CORS headers on every answer, and an answer to a
 * preflight (`OPTIONS`). True when it answered the preflight (nothing more to do).
 */
export function allowCrossOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  cors: { exposeHeaders: string; allowMethods: string; allowHeaders: string },
): boolean {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", cors.exposeHeaders);
  if (req.method !== "OPTIONS") return false;
  res
    .writeHead(204, {
      "access-control-allow-methods": cors.allowMethods,
      "access-control-allow-headers": cors.allowHeaders,
      "access-control-max-age": "600",
    })
    .end();
  return true;
}
