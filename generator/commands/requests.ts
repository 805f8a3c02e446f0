/**
 * Follow-up commands for a job already submitted (after Ctrl-C, `--timeout`, or from another
 * machine): `status <request-id>`, `result <request-id> [--wait] [--download DIR]`, `cancel <request-id>`.
 */
import type { Argv } from "yargs";
import type {
  CancelResult,
  CompletedJobResult,
  JobResult,
  ResultOptions,
  StatusResult,
  WaitOptions,
} from "../runtime/client/client.js";
import { CliFailure, EXIT, type ENV_VARS, withHelp, type CliIo, type RegisterCommand } from "./context.js";
import { resolveBaseUrl, resolveToken } from "../runtime/client/credentials.js";
import { statusOutcome } from "../runtime/client/job-status.js";

interface RequestClient {
  status(requestId: string): Promise<StatusResult>;
  result(requestId: string, options?: ResultOptions): Promise<JobResult<unknown>>;
  cancel(requestId: string): Promise<CancelResult>;
  wait(requestId: string, options?: WaitOptions): Promise<unknown>;
}

/**
 * Token and base URL as every API command reads them, in the client's precedence (runtime/credentials.ts):
 * RUNCOMFY_API_TOKEN, RUNCOMFY_TOKEN, the official CLI's token file; the flag, RUNCOMFY_BASE_URL,
 * RUNCOMFY_MODEL_API_BASE.
 */
export async function apiSettings(
  io: CliIo,
  baseUrlFlag: string | undefined,
): Promise<{ token: string; baseUrl: string }> {
  const { token } = await resolveToken(undefined, io.env).catch((e: Error) => {
    throw new CliFailure(e.message, EXIT.usage, "MissingTokenError");
  });
  if (!token)
    throw new CliFailure(
      "set RUNCOMFY_API_TOKEN (or RUNCOMFY_TOKEN) to your RunComfy API token, or log in with the official CLI (`runcomfy login`)",
      EXIT.usage,
      "MissingTokenError",
    );
  try {
    return { token, baseUrl: resolveBaseUrl(baseUrlFlag, io.env, "--base-url") };
  } catch (e) {
    throw new CliFailure((e as Error).message, EXIT.usage);
  }
}

const requestOptions = <T>(c: Argv<T>) =>
  c
    .positional("request_id", {
      type: "string",
      demandOption: true,
      describe: "The request id `run` printed (or submit returned)",
    })
    .option("base-url", {
      type: "string",
      describe: "API base URL (default: RUNCOMFY_BASE_URL or https://model-api.runcomfy.net/v1)",
    })
    .option("json", { type: "boolean", default: false, describe: "Print the answer (or the error) as JSON" });

/**
 * The queue client without a generated package: status, result and cancel need no model's schema, so
 * they work from any folder (submitting, which validates, is `run`'s, with the package).
 */
async function clientFor(io: CliIo, args: { "base-url"?: string }): Promise<RequestClient> {
  const { token, baseUrl } = await apiSettings(io, args["base-url"]);
  const { createRuntimeClient } = await import("../runtime/client/client.js");
  const noModels = () => Promise.reject(new Error("status, result and cancel load no model"));
  return createRuntimeClient({ token, baseUrl, validate: false, loadModel: noModels, knownModel: () => false });
}

const env: (keyof typeof ENV_VARS)[] = ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR"];
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The cost line run and result print on stderr (stdout keeps only the output URLs). */
export const costLine = (cost: number) => `cost: $${cost} (USD, as RunComfy reported it)\n`;

export const registerStatus: RegisterCommand = (y, { io }) =>
  y.command(
    "status <request_id>",
    "Show a job's status (and queue position while queued)",
    (c) =>
      withHelp(requestOptions(c), {
        examples: [
          ["$0 status 5f2c…", "in_queue (queue position 3)"],
          ["$0 status 5f2c… --json", "{ requestId, status, queuePosition }"],
        ],
        env,
      }),
    async (args) => {
      const client = await clientFor(io, args);
      const s = await client.status(args.request_id as string);
      io.stdout(
        args.json
          ? json(s)
          : `${s.status}${s.queuePosition !== undefined ? ` (queue position ${s.queuePosition})` : ""}\n`,
      );
    },
  );

export const registerResult: RegisterCommand = (y, { io, setExit }) =>
  y.command(
    "result <request_id>",
    "Print a finished job's output URLs and cost; --download saves the outputs; --wait waits for it to finish (else exit 4 while it is still queued or running)",
    (c) =>
      withHelp(requestOptions(c), {
        examples: [
          ["$0 result 5f2c…", "the output URLs, one `key<TAB>url` per line; the cost on stderr"],
          ["$0 result 5f2c… --json", "{ requestId, status, output, cost, createdAt, finishedAt }"],
          ["$0 result 5f2c… --download out/", "and save the outputs as out/<request id>-<output key>.<ext>"],
          ["$0 result 5f2c… --wait", "wait for a queued or running job (as run waits), then the same"],
        ],
        env,
      })
        .option("wait", {
          type: "boolean",
          default: false,
          describe:
            "Wait until the job has finished, showing its progress as run does (Ctrl-C stops waiting, the job is not cancelled)",
        })
        .option("timeout", { type: "number", describe: "With --wait: give up after this many seconds (exit 4)" })
        .option("download", {
          type: "string",
          describe: "Save the outputs into this folder (<request id>-<output key>.<ext>; never overwrites a file)",
        })
        .option("allow-private-network", {
          type: "boolean",
          default: false,
          describe: "Let --download reach loopback/private addresses",
        }),
    async (args) => {
      const client = await clientFor(io, args);
      const requestId = args.request_id as string;
      const r = args.wait
        ? await waitForResult(client, requestId, io, args.timeout)
        : await client.result(requestId, { includeCost: true });
      const { raw: _raw, completed: _completed, ...shown } = r;
      if (r.completed) {
        const { printOutputs } = await import("./outputs.js");
        await printOutputs(io, setExit, shown as typeof shown & { output: unknown }, {
          json: args.json,
          download: args.download,
          allowPrivateNetwork: args["allow-private-network"],
          costText: r.cost === undefined ? undefined : costLine(r.cost),
        });
        return;
      }
      if (statusOutcome(r.status) !== "pending") {
        // The reason as the client reads service messages (error_message, message, error, detail).
        const { serverMessage } = await import("../runtime/api-http/api-request.js");
        const reason = serverMessage(r.raw);
        if (args.json) io.stdout(json(reason === undefined ? shown : { ...shown, error: reason }));
        else
          io.stderr(
            `the job ended ${r.status}${reason ? `: ${reason}` : ""}; it has no output [request ${r.requestId}]\n`,
          );
        setExit(EXIT.failed);
        return;
      }
      if (args.json) io.stdout(json(shown));
      else
        io.stderr(
          `the job is ${r.status}; no output yet. Wait with \`runcomfy-codegen status ${r.requestId}\`, then ask again [request ${r.requestId}]\n`,
        );
      setExit(EXIT.pending);
    },
  );

/**
 * `result --wait`: waits as `run` does (the same polling, its progress on stderr) and returns the
 * finished result; a failed or cancelled job and a timeout reach the CLI's failure handler, as in `run`.
 */
async function waitForResult(
  client: RequestClient,
  requestId: string,
  io: CliIo,
  timeoutS: number | undefined,
): Promise<CompletedJobResult<unknown>> {
  const { RunProgress } = await import("./progress.js");
  const progress = new RunProgress(io, { live: (io.stderrIsTTY ?? io.isTTY) && io.env.TERM !== "dumb" });
  progress.following(requestId);
  const controller = new AbortController();
  const onSigint = () => {
    progress.message("interrupted: stopped waiting (the job is not cancelled)");
    controller.abort();
  };
  process.once("SIGINT", onSigint);
  let finished: CompletedJobResult<unknown> | undefined;
  try {
    await client.wait(requestId, {
      signal: controller.signal,
      includeCost: true,
      timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined,
      onStatus: (u) => progress.update(u.status, u.queuePosition),
      onResult: (r) => (finished = r),
    });
    return finished!;
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
}

export const registerCancel: RegisterCommand = (y, { io, setExit }) =>
  y.command(
    "cancel <request_id>",
    "Cancel a queued job (exit 1 when not cancelled: a job that already runs cannot be; or when the answer does not say)",
    (c) =>
      withHelp(requestOptions(c), {
        examples: [
          ["$0 cancel 5f2c…", "cancelled, or why not"],
          ["$0 cancel 5f2c… --json", "{ requestId, cancelled (true, false or null: unknown), status, reason? }"],
        ],
        env,
      }),
    async (args) => {
      const client = await clientFor(io, args);
      const r = await client.cancel(args.request_id as string);
      if (args.json) io.stdout(json(r));
      else if (r.cancelled) io.stdout(`cancelled ${r.requestId}\n`);
      else if (r.cancelled === null) io.stderr(`cancel outcome unknown: ${r.reason} [request ${r.requestId}]\n`);
      else io.stderr(`not cancelled: ${r.reason} (status ${r.status}) [request ${r.requestId}]\n`);
      if (!r.cancelled) setExit(EXIT.failed);
    },
  );
