/** Serves an in-memory file over HTTP, with or without Range support. Used by the emulator and tests. */
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
