/**
 * One data-URI validation in a fresh process (`node data-uri-child.js <side> <MiB>`): a JPEG of that
 * many MiB as `data:image/jpeg;base64,…`, then either the generated package's `validate` on an input
 * of a model whose image rules need its width and height (`ours`), or what a Node user would write
 * without it: `Buffer.from(payload, "base64")` and probe-image-size's `sync` (`buffer`). The model's
 * rules need the image's width, height and file size (its cap, 30 MB, fails). Prints the
 * time the call held the event loop and the peak memory it added (Linux: the peak RSS is reset to
 * the current RSS just before the call, /proc/self/clear_refs, then read back), beside the string's
 * own size (one byte a character).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import probeImageSize from "probe-image-size";
import { jpeg } from "../generator/mock/images.js";
import { PACKAGE_ROOT } from "../generator/shared/paths.js";

const DATA_URI_MODEL = "bytedance/seedance-1-0/lite/image-to-video";

const [side, mib] = [process.argv[2], Number(process.argv[3])];
const statusKB = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? Number.NaN);

const bytes = jpeg(4000, 3000, { totalBytes: mib * 1024 * 1024 });
let uri: string | undefined =
  `data:image/jpeg;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64")}`;
const stringBytes = uri.length;
const pkg = await import(pathToFileURL(path.join(PACKAGE_ROOT, "generated/index.js")).href);
// As a user's input arrives: parsed from JSON (a flat string, not the concatenation built above).
const input = JSON.parse(JSON.stringify({ prompt: "a cat", first_frame_image_url: uri })) as Record<string, string>;
uri = undefined;
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = statusKB("VmRSS");
writeFileSync("/proc/self/clear_refs", "5");
const t0 = performance.now();
let outcome: string;
if (side === "ours") {
  const result = (await pkg.validate(DATA_URI_MODEL, input)) as {
    valid: boolean;
    issues: { severity: string; rule?: string; actual?: number; message: string }[];
  };
  // Every image model here caps the file at 30 MB or less: the right answer is that one rule failing on 60.
  outcome = result.issues.map((i) => `${i.severity} ${i.rule ?? i.message} ${i.actual ?? ""}`.trim()).join("; ");
} else {
  const value = input.first_frame_image_url;
  const size = probeImageSize.sync(Buffer.from(value.slice(value.indexOf(",") + 1), "base64"));
  outcome = size ? `${size.width}x${size.height}` : "unreadable";
}
const ms = performance.now() - t0;
const peakAddedBytes = (statusKB("VmHWM") - rssBefore) * 1024;
process.stdout.write(`${JSON.stringify({ ms, peakAddedBytes, stringBytes, outcome })}\n`);
