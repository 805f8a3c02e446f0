/**
 * The MCP server of `runcomfy-codegen mcp`, on the official SDK's low-level `Server` (tools are
 * served with the JSON Schemas the generated package already has, not re-declared in zod). A call
 * validates first (schema and media rules: an invalid input returns every issue and submits
 * nothing), then submits through the package's client and waits with its polling, sending progress
 * when the caller gave a progress token. A caller's cancellation cancels a job still queued and says,
 * in a log message, when the job already ran. Nothing here writes to stdout: that is the protocol's.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type ServerNotification,
} from "@modelcontextprotocol/sdk/types.js";
import type { CancelResult, JobResult, StatusResult, StatusUpdate, SubmittedJob } from "../runtime/client/client.js";
import type { ValidationIssue, ValidationResult } from "../runtime/validation/issues.js";
import type { CostEstimate } from "../runtime/pricing/pricing.js";
import { formatCostEstimate } from "../runtime/pricing/pricing.js";
import {
  DYNAMIC_TOOLS,
  FOLLOW_UP_TOOLS,
  type ModelModule,
  type ModelTool,
  modelDescription,
  modelTool,
  outputUrls,
  portableInput,
  searchModels,
  type ToolDefinition,
} from "./tools.js";

/** The parts of the generated package's client the server uses. */
export interface McpClient {
  submit(modelId: string, input: unknown, options?: { signal?: AbortSignal }): Promise<SubmittedJob>;
  status(requestId: string, options?: { signal?: AbortSignal }): Promise<StatusResult>;
  result(requestId: string, options?: { signal?: AbortSignal; includeCost?: boolean }): Promise<JobResult<unknown>>;
  cancel(requestId: string): Promise<CancelResult>;
  run(modelId: string, input: unknown, options: Record<string, unknown>): Promise<unknown>;
}

/** The parts of the generated package the server uses. */
export interface McpPackage {
  validate(modelId: string, input: unknown, options?: unknown): Promise<ValidationResult>;
  estimateCost(modelId: string, input: unknown): Promise<CostEstimate>;
}

export interface McpServerOptions {
  pkg: McpPackage;
  models: readonly ModelModule[];
  /** The client, made when a call first needs the API (so listing tools needs no token). */
  client: () => McpClient;
  /** Options of every validation (probe settings). */
  validateOptions?: Record<string, unknown>;
  /** Three tools (search, describe, run) instead of one per model. */
  dynamic?: boolean;
  version: string;
  /** Where the server's own diagnostics go (stderr); never the token. */
  log?: (line: string) => void;
}

type Extra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification: (n: ServerNotification) => Promise<void>;
};

const text = (t: string) => ({ type: "text" as const, text: t });
const failure = (message: string, structured?: Record<string, unknown>): CallToolResult => ({
  isError: true,
  content: [text(message)],
  ...(structured ? { structuredContent: structured } : {}),
});

export function createMcpServer(options: McpServerOptions): Server {
  const { pkg, models, dynamic } = options;
  const byId = new Map(models.map((m) => [m.modelId, m]));
  const modelTools: ModelTool[] = dynamic ? [] : models.map(modelTool);
  const byName = new Map(modelTools.map((t) => [t.name, t]));
  const tools: ToolDefinition[] = [...modelTools, ...(dynamic ? DYNAMIC_TOOLS : []), ...FOLLOW_UP_TOOLS];
  const server = new Server(
    { name: "runcomfy-codegen", version: options.version },
    { capabilities: { tools: {}, logging: {} } },
  );
  let client: McpClient | undefined;
  const api = () => (client ??= options.client());

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const name = request.params.name;
    try {
      const tool = byName.get(name);
      if (tool) {
        const { [tool.waitArgument]: wait, ...input } = args;
        return await runModel(tool.modelId, input, wait !== false, extra as Extra);
      }
      switch (name) {
        case "runcomfy_status": {
          const s = await api().status(requestIdOf(args), { signal: extra.signal });
          return ok(
            `${s.requestId}: ${s.status}${s.queuePosition !== undefined ? ` (queue position ${s.queuePosition})` : ""}`,
            {
              requestId: s.requestId,
              status: s.status,
              ...(s.queuePosition !== undefined ? { queuePosition: s.queuePosition } : {}),
            },
          );
        }
        case "runcomfy_result":
          return await resultOf(requestIdOf(args), extra.signal);
        case "runcomfy_cancel":
          return cancelAnswer(await api().cancel(requestIdOf(args)));
        case "runcomfy_estimate_cost": {
          const model = knownModel(args.model_id);
          const estimate = await pkg.estimateCost(model.modelId, args.input ?? {});
          return ok(`${model.modelId}: ${formatCostEstimate(estimate)}`, { modelId: model.modelId, estimate });
        }
        case "runcomfy_search_models": {
          const limit = typeof args.limit === "number" && args.limit > 0 ? Math.min(100, args.limit) : 20;
          const found = searchModels(models, typeof args.query === "string" ? args.query : undefined, limit);
          return ok(
            found.map((m) => `${m.model_id} — ${m.title}; makes ${m.makes || "output"}; ${m.price}`).join("\n") ||
              "no model matches",
            {
              models: found,
            },
          );
        }
        case "runcomfy_describe_model": {
          const model = knownModel(args.model_id);
          const inputSchema = portableInput(model);
          return ok(`${modelDescription(model)}\n\nInput schema:\n${JSON.stringify(inputSchema, null, 2)}`, {
            modelId: model.modelId,
            description: modelDescription(model),
            inputSchema,
            example: model.example,
          });
        }
        case "runcomfy_run_model": {
          const model = knownModel(args.model_id);
          const input = args.input && typeof args.input === "object" ? args.input : {};
          return await runModel(model.modelId, input, args.wait !== false, extra as Extra);
        }
        default:
          return failure(`unknown tool ${JSON.stringify(name)}`);
      }
    } catch (e) {
      if (e instanceof ToolInputError) return failure(e.message);
      // Errors of the client (auth, balance, rate limit, a failed job) say what happened; the token is redacted there.
      const err = e as Error & { requestId?: string };
      return failure(
        `${err.name}: ${err.message}`,
        err.requestId ? { requestId: err.requestId, status: "error" } : undefined,
      );
    }
  });

  function knownModel(id: unknown): ModelModule {
    const model = typeof id === "string" ? byId.get(id) : undefined;
    if (!model)
      throw new ToolInputError(
        `unknown model_id ${JSON.stringify(id)}: search the models (runcomfy_search_models) for the ids this server has`,
      );
    return model;
  }

  async function runModel(modelId: string, input: unknown, wait: boolean, extra: Extra): Promise<CallToolResult> {
    const checked = await pkg.validate(modelId, input, options.validateOptions);
    if (!checked.valid) return invalidAnswer(modelId, checked.issues);
    const warnings = checked.issues.map(issueLine);
    if (!wait) {
      const job = await api().submit(modelId, input, { signal: extra.signal });
      return ok(`submitted ${modelId}: request ${job.requestId} (queued; ask runcomfy_status or runcomfy_result)`, {
        requestId: job.requestId,
        status: "in_queue",
        ...(warnings.length ? { warnings } : {}),
      });
    }
    let requestId: string | undefined;
    let cost: number | undefined;
    const progress = progressSender(extra);
    try {
      const output = await api().run(modelId, input, {
        validate: false,
        signal: extra.signal,
        includeCost: true,
        onSubmitted: (job: SubmittedJob) => {
          requestId = job.requestId;
          progress(`submitted: request ${job.requestId}`);
        },
        onStatus: (u: StatusUpdate) =>
          progress(
            `${u.status}${u.queuePosition !== undefined ? ` · queue position ${u.queuePosition}` : ""} · ${(u.elapsedMs / 1000).toFixed(1)} s`,
          ),
        onResult: (r: { cost?: number }) => (cost = r.cost),
      });
      return completedAnswer(requestId ?? "", output, cost, warnings);
    } catch (e) {
      if (extra.signal.aborted && requestId) await reportCancel(requestId);
      throw e;
    }
  }

  /** After the caller cancelled: cancel the job if still queued, and say what became of it (no answer is sent to a cancelled call). */
  async function reportCancel(requestId: string): Promise<void> {
    let line: string;
    try {
      const c = await api().cancel(requestId);
      line = c.cancelled
        ? `request ${requestId} cancelled while queued: nothing billed`
        : `request ${requestId} could not be cancelled (${c.reason}): it keeps running and is billed; runcomfy_result gives its output`;
    } catch (e) {
      line = `request ${requestId}: cancelling failed (${(e as Error).message}); it may keep running and be billed`;
    }
    options.log?.(line);
    await server.sendLoggingMessage({ level: "warning", logger: "runcomfy", data: line }).catch(() => {});
  }

  async function resultOf(requestId: string, signal: AbortSignal): Promise<CallToolResult> {
    const r = await api().result(requestId, { signal, includeCost: true });
    if (r.completed) return completedAnswer(r.requestId, r.output, r.cost, []);
    const ended = ["cancelled", "canceled", "failed", "error"].includes(r.status);
    return {
      isError: ended,
      content: [text(`${r.requestId}: ${r.status}${ended ? "" : " (not finished; ask again later)"}`)],
      structuredContent: { requestId: r.requestId, status: r.status },
    };
  }

  function progressSender(extra: Extra): (message: string) => void {
    const token = extra._meta?.progressToken;
    let n = 0;
    return (message) => {
      if (token === undefined) return;
      n += 1;
      void extra
        .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: n, message } })
        .catch(() => {});
    };
  }

  return server;
}

class ToolInputError extends Error {}

function requestIdOf(args: Record<string, unknown>): string {
  const id = args.request_id;
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(id))
    throw new ToolInputError(`request_id must be the id a run returned, not ${JSON.stringify(id)}`);
  return id;
}

const issueLine = (i: ValidationIssue) => `${i.severity} ${i.path || "/"}: ${i.message}`;

function invalidAnswer(modelId: string, issues: ValidationIssue[]): CallToolResult {
  const errors = issues.filter((i) => i.severity === "error");
  return failure(
    `invalid input for ${modelId}; nothing was submitted. ${errors.length} problem${errors.length === 1 ? "" : "s"}:\n${issues.map(issueLine).join("\n")}`,
    {
      status: "invalid",
      issues: issues.map((i) => ({ path: i.path || "/", message: i.message, severity: i.severity })),
    },
  );
}

function completedAnswer(
  requestId: string,
  output: unknown,
  cost: number | undefined,
  warnings: string[],
): CallToolResult {
  const urls = outputUrls(output);
  const lines = [
    `completed: request ${requestId}${cost !== undefined ? ` · cost $${cost}` : ""}`,
    ...(urls.length ? urls : [JSON.stringify(output)]),
    ...warnings.map((w) => `warning: ${w}`),
  ];
  return ok(lines.join("\n"), {
    requestId,
    status: "completed",
    output,
    outputUrls: urls,
    ...(cost !== undefined ? { cost } : {}),
    ...(warnings.length ? { warnings } : {}),
  });
}

function cancelAnswer(c: CancelResult): CallToolResult {
  return c.cancelled
    ? ok(`request ${c.requestId} cancelled: it was queued, nothing is billed`, {
        requestId: c.requestId,
        cancelled: true,
      })
    : ok(`request ${c.requestId} not cancelled (${c.reason}): it keeps running and is billed`, {
        requestId: c.requestId,
        cancelled: false,
        status: c.status,
        reason: c.reason,
      });
}

function ok(message: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [text(message)], structuredContent: structured };
}
