/**
 * The `run` command's work, loaded only when `run` runs: validate, submit, show progress, print the
 * outputs and the cost, optionally download them. Ctrl-C asks RunComfy to cancel the job and says
 * what came of it: cancelled while queued, or already running (it cannot be cancelled) with the
 * commands that follow it.
 */
import type { ValidationIssue } from "../runtime/validation/issues.js";
import { type CommandContext, cliWording, importGeneratedPackage, requireKnownModel } from "./context.js";
import { readModelInput } from "./local-media.js";
import { printOutputs } from "./outputs.js";
import { RunProgress } from "./progress.js";
import { apiSettings, costLine } from "./requests.js";
import { submitValidationOf, type SubmitValidationArgs } from "./submit-validation.js";

interface GeneratedClientRoot {
  modelIds: readonly string[];
  loadModel: (modelId: string) => Promise<{
    inputSchema: unknown;
    mediaInputs?: readonly import("../runtime/validation/rule-types.js").MediaInput[];
  }>;
  createClient: (options: Record<string, unknown>) => {
    run: (id: string, input: unknown, options: Record<string, unknown>) => Promise<Record<string, unknown>>;
  };
}

export interface RunArgs extends SubmitValidationArgs {
  model_id: unknown;
  input: unknown;
  package: string;
  "base-url"?: string;
  timeout?: number;
  json: boolean;
  download?: string;
}

export async function runCommand(args: RunArgs, { io, setExit }: CommandContext): Promise<void> {
  const { token, baseUrl } = await apiSettings(io, args["base-url"]);
  const pkg = await importGeneratedPackage<GeneratedClientRoot>(args.package);
  const modelId = args.model_id as string;
  requireKnownModel(pkg, modelId);
  const { input } = await readModelInput(pkg, modelId, args.input as string, io);
  const client = pkg.createClient({
    token,
    baseUrl,
    validate: submitValidationOf(args),
    onValidationWarnings: (issues: ValidationIssue[]) => {
      for (const i of issues) progress.message(cliWording(`warning ${i.path || "/"}  ${i.message}`));
    },
  });
  const controller = new AbortController();
  const progress = new RunProgress(io, { live: (io.stderrIsTTY ?? io.isTTY) && io.env.TERM !== "dumb" });
  let requestId: string | undefined;
  const onSigint = () => {
    // The client asks to cancel; what came of it (cancelled while queued, or still running) is the failure's hint.
    progress.message(requestId ? "interrupted: asking RunComfy to cancel the job…" : "interrupted");
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
      onStatus: (u: { status: string; queuePosition?: number }) => progress.update(u.status, u.queuePosition),
    });
    progress.stop();
    // --json: the same shape as `result --json` (request id, output, and the cost when the service sent it).
    const printed = await printOutputs(
      io,
      setExit,
      { requestId: requestId ?? "output", output, ...(cost !== undefined ? { cost } : {}) },
      {
        json: args.json,
        download: args.download,
        allowPrivateNetwork: args["allow-private-network"],
        costText: cost === undefined ? undefined : costLine(cost),
      },
    );
    if (!printed) return;
    io.stderr(`done in ${(progress.elapsedMs / 1000).toFixed(1)} s${requestId ? ` [request ${requestId}]` : ""}\n`);
  } catch (e) {
    progress.stop();
    // Reported by the CLI's one failure handler (text, or JSON with --json; exit code by type).
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
