/**
 * A job's outputs on the command line: every URL with the key that holds it, and `--download DIR`
 * (run and result), which saves each through the probe's address guard and never overwrites a file.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DownloadError, downloadToFile } from "../runtime/node.js";
import { CliFailure } from "./context.js";

/** Every URL in an output, with the key path that holds it (`images.0`). */
export function outputUrls(value: unknown, at = ""): { key: string; url: string }[] {
  if (typeof value === "string") return /^https?:\/\//.test(value) ? [{ key: at, url: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => outputUrls(v, at ? `${at}.${i}` : String(i)));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => outputUrls(v, at ? `${at}.${k}` : k));
  return [];
}

/** The `key<TAB>url` lines run and result print. */
export const outputLines = (output: unknown) =>
  outputUrls(output)
    .map((u) => `${u.key}\t${u.url}\n`)
    .join("");

/** The file name of a downloaded output: request id, output key, and the URL's extension (`<id>-images.0.png`). */
export function outputFileName(requestId: string, key: string, url: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(new URL(url).pathname)?.[0] ?? "";
  return `${requestId}-${key || "output"}${ext}`.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "_");
}

/** Saves every output URL into `dir` through the probe's address guard; never overwrites; reports every failure. */
export async function downloadOutputs(
  dir: string,
  requestId: string,
  output: unknown,
  allowPrivateNetwork: boolean,
  say: (text: string) => void,
): Promise<void> {
  const urls = outputUrls(output);
  await mkdir(dir, { recursive: true });
  const failures: string[] = [];
  for (const { key, url } of urls) {
    const file = path.join(dir, outputFileName(requestId, key, url));
    try {
      const saved = await downloadToFile(url, file, { allowPrivateNetwork });
      say(`saved ${saved.path} (${saved.bytes} bytes)\n`);
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      failures.push(`${key}: ${e.message}`);
    }
  }
  if (failures.length)
    throw new CliFailure(
      `${failures.length} of ${urls.length} downloads failed [request ${requestId}]:\n  ${failures.join("\n  ")}`,
    );
}
