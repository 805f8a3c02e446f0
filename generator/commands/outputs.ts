/**
 * A job's outputs on the command line: every URL with the key that holds it, and `--download DIR`
 * (run and result), which saves each through the probe's address guard and never overwrites a file.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DownloadError, downloadToFile } from "../runtime/node.js";
import { CliFailure, EXIT, type CliIo } from "./context.js";

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

/** What `--download` did: the files saved and the outputs that could not be (with why). */
export interface DownloadReport {
  saved: { key: string; url: string; path: string; bytes: number }[];
  failed: { key: string; url: string; code: string; error: string }[];
}

/** Saves every output URL into `dir` through the probe's address guard; never overwrites; reports every failure. */
export async function downloadOutputs(
  dir: string,
  requestId: string,
  output: unknown,
  allowPrivateNetwork: boolean,
  say: (text: string) => void,
): Promise<DownloadReport> {
  const urls = outputUrls(output);
  await mkdir(dir, { recursive: true });
  const report: DownloadReport = { saved: [], failed: [] };
  for (const { key, url } of urls) {
    const file = path.join(dir, outputFileName(requestId, key, url));
    try {
      const saved = await downloadToFile(url, file, { allowPrivateNetwork });
      say(`saved ${saved.path} (${saved.bytes} bytes)\n`);
      report.saved.push({ key, url, path: saved.path, bytes: saved.bytes });
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      report.failed.push({ key, url, code: e.code, error: e.message });
    }
  }
  return report;
}

/** The words of a report's failures (one line per output), or undefined when every download worked. */
function failureText(report: DownloadReport, requestId: string): string | undefined {
  if (!report.failed.length) return undefined;
  const total = report.saved.length + report.failed.length;
  return `${report.failed.length} of ${total} downloads failed [request ${requestId}]:\n  ${report.failed.map((f) => `${f.key}: ${f.error}`).join("\n  ")}`;
}

/**
 * A finished job's output as run and result print it. Text: the URLs first (so nothing is lost), the
 * cost line, then the downloads, a failed one an error (exit 1). `--json`: one document, downloaded
 * first so it carries `downloads` (saved and failed) — failures then say so on stderr and exit 1, and
 * stdout keeps the one document. Returns false when a download failed.
 */
export async function printOutputs(
  io: CliIo,
  setExit: (code: number) => void,
  doc: { requestId: string; output: unknown } & Record<string, unknown>,
  options: { json: boolean; download?: string; allowPrivateNetwork: boolean; costText?: string },
): Promise<boolean> {
  const download = () =>
    options.download === undefined
      ? undefined
      : downloadOutputs(options.download, doc.requestId, doc.output, options.allowPrivateNetwork, io.stderr);
  if (options.json) {
    const downloads = await download();
    io.stdout(`${JSON.stringify(downloads ? { ...doc, downloads } : doc, null, 2)}\n`);
    const failed = downloads && failureText(downloads, doc.requestId);
    if (failed) {
      io.stderr(`${failed}\n`);
      setExit(EXIT.failed);
    }
    return !failed;
  }
  io.stdout(outputLines(doc.output));
  if (options.costText) io.stderr(options.costText);
  const downloads = await download();
  const failed = downloads && failureText(downloads, doc.requestId);
  if (failed) throw new CliFailure(failed);
  return true;
}
