/** What a finished emulated job outputs: values shaped by the model's output schema, and the media its URLs name. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SchemaNode } from "../ir/schema-node.js";
import { png } from "./images.js";
import type { Job } from "./jobs.js";
import { serveBytes } from "./serve-media.js";

/** A few bytes that identify as MP4 (an `ftyp` box) and as WAV, for video and audio results. */
const MP4 = Uint8Array.from([
  0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0, 0x69, 0x73, 0x6f, 0x6d, 0x6d, 0x70, 0x34,
  0x31,
]);
const WAV = new TextEncoder().encode("RIFF$\u0000\u0000\u0000WAVEfmt ");

/** Output for a finished job: every media URL points at media this emulator serves (`origin`). */
export function outputFor(origin: string, job: Job, schema: SchemaNode, generic: boolean): Record<string, unknown> {
  const media = (name: string, kind: "image" | "video" | "audio") =>
    `${origin}/media/${job.id}/${name}.${kind === "image" ? "png" : kind === "video" ? "mp4" : "wav"}`;
  if (generic) {
    const kind = /video/.test(job.modelId) ? "video" : /audio|speech|music/.test(job.modelId) ? "audio" : "image";
    return { [kind]: media(kind, kind) };
  }
  const sample = (node: SchemaNode, name: string): unknown => {
    const type = Array.isArray(node.type) ? node.type[0] : node.type;
    if (node.enum) return node.enum[0];
    if (type === "string")
      return node.format === "uri" || node["x-media"] ? media(name, node["x-media"] ?? "image") : "emulated";
    if (type === "integer" || type === "number") return 1;
    if (type === "boolean") return true;
    if (type === "array") return node.items ? [sample(node.items, `${name}-0`)] : [];
    if (type === "object")
      return Object.fromEntries(Object.entries(node.properties ?? {}).map(([k, v]) => [k, sample(v, k)]));
    return null;
  };
  return sample(schema, "output") as Record<string, unknown>;
}

/** `GET /media/{request_id}/{file}`: the media of a job that succeeded (a small PNG, MP4 or WAV). */
export function serveJobMedia(req: IncomingMessage, res: ServerResponse, job: Job | undefined, file: string): void {
  if (!job) return void res.writeHead(404).end();
  const body = file.endsWith(".png") ? png(64, 64) : file.endsWith(".mp4") ? MP4 : WAV;
  serveBytes(req, res, body, {
    contentType: file.endsWith(".png") ? "image/png" : file.endsWith(".mp4") ? "video/mp4" : "audio/wav",
  });
}
