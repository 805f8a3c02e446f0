/** The emulator's bound on request bodies: larger ones are answered 413 and never read to the end. */
import type { IncomingMessage } from "node:http";

/** Default bound of a request body: 100 MiB (RunComfy's clients send media as data URIs of up to 64 MiB). */
export const MAX_BODY_BYTES = 100 * 2 ** 20;

/** A request body over the emulator's bound. */
export class BodyTooLarge extends Error {}

/** The body as text, bounded: over `maxBody` (declared or streamed) it stops reading and rejects. */
export const readBody = (req: IncomingMessage, maxBody: number) =>
  new Promise<string>((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBody) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        req.removeAllListeners("data");
        req.pause();
        return reject(new BodyTooLarge());
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
