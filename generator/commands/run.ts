/**
 * `runcomfy-codegen run <model_id> <input>`: validate, submit, show progress, print the outputs,
 * optionally download them. Ctrl-C cancels a queued job before exiting; a running job cannot be
 * cancelled, so Ctrl-C then says how to follow it (status/result) or cancel it later.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { followUpHint } from "./failure.js";
import { apiSettings } from "./requests.js";
import { readModelInput } from "./local-media.js";
import { RunProgress } from "./progress.js";
import { DownloadError, downloadToFile } from "../runtime/node.js";
import type { ValidationIssue } from "../runtime/issues.js";
import {
  CliFailure,
  EXIT,
  withHelp,
  importGeneratedPackage,
  requireKnownModel,
  type RegisterCommand,
} from "./context.js";
import { dryRun } from "./validate.js";

interface GeneratedClientRoot {
  modelIds: readonly string[];
  loadModel: (modelId: string) => Promise<{ inputSchema: unknown }>;
  createClient: (options: Record<string, unknown>) => {
    run: (id: string, input: unknown, options: Record<string, unknown>) => Promise<Record<string, unknown>>;
  };
}

/** The file name of a downloaded output: request id, output key, and the URL's extension (`<id>-images.0.png`). */
export function outputFileName(requestId: string, key: string, url: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(new URL(url).pathname)?.[0] ?? "";
  return `${requestId}-${key || "output"}${ext}`.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "_");
}

/** Saves every output URL into `dir` through the probe's address guard; never overwrites; reports every failure. */
async function downloadOutputs(
  dir: string,
  requestId: string,
  urls: { key: string; url: string }[],
  allowPrivateNetwork: boolean,
  say: (text: string) => void,
): Promise<void> {
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

/** Every URL in an output, with the key path that holds it (`images.0`). */
export function outputUrls(value: unknown, at = ""): { key: string; url: string }[] {
  if (typeof value === "string") return /^https?:\/\//.test(value) ? [{ key: at, url: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => outputUrls(v, at ? `${at}.${i}` : String(i)));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => outputUrls(v, at ? `${at}.${k}` : k));
  return [];
}

export const registerRun: RegisterCommand = (y, { io, config, setExit }) =>
  y.command(
    "run <model_id> <input>",
    "Validate, submit and wait for a job; print the output URLs",
    (c) =>
      withHelp(c, {
        examples: [
          [
            "$0 run bytedance/dreamina-3-0/pro/text-to-video input.json",
            "validate, submit, wait; print the output URLs",
          ],
          ["$0 run bytedance/dreamina-4-0/edit input.json --download out/", "and save the outputs"],
          [
            "$0 run bytedance/dreamina-4-0/edit - --json < input.json",
            "input from standard input, output (or the error) as JSON",
          ],
          [
            "$0 run bytedance/dreamina-4-0/edit input.json --timeout 600",
            "give up waiting after 10 minutes (the job keeps running)",
          ],
          ["$0 run bytedance/dreamina-4-0/edit input.json --dry-run", "validate and estimate the cost; submit nothing"],
          [
            `echo '{"prompt":"a hat","image_urls":["@./cat.png"]}' | $0 run bytedance/dreamina-4-0/edit -`,
            "a local file for a media input (@path, as curl), sent as a data URI",
          ],
        ],
        env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL"],
      })
        .positional("model_id", { type: "string", demandOption: true })
        .positional("input", {
          type: "string",
          demandOption: true,
          describe: "Input JSON file, or - for standard input",
        })
        .option("base-url", {
          type: "string",
          describe: "API base URL (default: RUNCOMFY_BASE_URL or https://model-api.runcomfy.net/v1)",
        })
        .option("timeout", { type: "number", describe: "Give up after this many seconds" })
        .option("json", { type: "boolean", default: false, describe: "Print the whole output as JSON" })
        .option("download", { type: "string", describe: "Save the outputs into this folder" })
        .option("validate", {
          type: "boolean",
          default: true,
          describe: "Validate before submitting (--no-validate to skip)",
        })
        .option("probe", {
          type: "boolean",
          default: true,
          describe: "Probe media for the rules (--no-probe: schema only)",
        })
        .option("allow-private-network", {
          type: "boolean",
          default: false,
          describe: "Let probes and --download reach loopback/private addresses",
        })
        .option("allow-http", { type: "boolean", default: false, describe: "Accept plain http media URLs" })
        .option("probe-failures", {
          choices: ["error", "warning"] as const,
          default: "warning" as const,
          describe: "A media rule this machine could not check (network, timeout, 5xx): warn and submit, or refuse",
        })
        .option("unknown-properties", {
          choices: ["error", "warning", "ignore"] as const,
          default: "warning" as const,
          describe: "A key the schema does not declare: warn (sent as is), refuse, or ignore",
        })
        .option("package", { type: "string", default: config.output, describe: "Folder of the generated package" })
        .option("dry-run", {
          type: "boolean",
          default: false,
          describe: "Validate and estimate the cost; submit nothing (no token needed)",
        }),
    async (args) => {
      if (args["dry-run"]) return dryRun(args, io, setExit);
      const { token, baseUrl } = await apiSettings(io, args["base-url"]);
      const pkg = await importGeneratedPackage<GeneratedClientRoot>(args.package);
      const modelId = args.model_id as string;
      requireKnownModel(pkg, modelId);
      const { input } = await readModelInput(pkg, modelId, args.input as string, io);
      const client = pkg.createClient({
        token,
        baseUrl,
        validate: args.validate
          ? {
              allowHttp: args["allow-http"],
              unknownProperties: args["unknown-properties"],
              probeFailures: args["probe-failures"],
              probe: args.probe ? { allowPrivateNetwork: args["allow-private-network"] } : false,
            }
          : false,
        onValidationWarnings: (issues: ValidationIssue[]) => {
          for (const i of issues) progress.message(`warning ${i.path || "/"}  ${i.message}`);
        },
      });
      const controller = new AbortController();
      const progress = new RunProgress(io, { live: (io.stderrIsTTY ?? io.isTTY) && io.env.TERM !== "dumb" });
      let requestId: string | undefined;
      let queued = true;
      const onSigint = () => {
        // A queued job is cancelled (nothing is billed yet); a running one cannot be: say how to pick it up.
        if (!requestId || queued) progress.message("interrupted: cancelling the job if it is still queued…");
        else progress.message(`interrupted: ${followUpHint(requestId)}`);
        controller.abort();
      };
      process.once("SIGINT", onSigint);
      let cost: number | undefined;
      try {
        const output = await client.run(modelId, input, {
          signal: controller.signal,
          includeCost: true,
          onResult: (r: { cost?: number }) => (cost = r.cost),
          timeoutMs: args.timeout !== undefined ? args.timeout * 1000 : undefined,
          onSubmitted: (job: { requestId: string }) => {
            requestId = job.requestId;
            progress.submitted(job.requestId);
          },
          onStatus: (u: { status: string; queuePosition?: number }) => {
            queued = u.status === "in_queue";
            progress.update(u.status, u.queuePosition);
          },
        });
        progress.stop();
        const urls = outputUrls(output);
        // --json: the same shape as `result --json` (request id, output, and the cost when the service sent it).
        io.stdout(
          args.json
            ? JSON.stringify({ requestId, output, ...(cost !== undefined ? { cost } : {}) }, null, 2) + "\n"
            : urls.map((u) => `${u.key}\t${u.url}\n`).join(""),
        );
        if (cost !== undefined && !args.json) io.stderr(`cost: $${cost} (USD, as RunComfy reported it)\n`);
        if (args.download)
          await downloadOutputs(args.download, requestId ?? "output", urls, args["allow-private-network"], io.stderr);
        io.stderr(`done in ${(progress.elapsedMs / 1000).toFixed(1)} s${requestId ? ` [request ${requestId}]` : ""}\n`);
      } catch (e) {
        progress.stop();
        // Reported by the CLI's one failure handler (text, or JSON with --json; exit code by type).
        throw e;
      } finally {
        process.off("SIGINT", onSigint);
      }
    },
  );
