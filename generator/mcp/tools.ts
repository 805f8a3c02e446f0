/**
 * What the MCP server offers, as plain data built from the generated package's model modules: a
 * tool per model (name, description, input and output schema) and the follow-up tools. Pure: the
 * server (server.ts) serves these and runs the calls.
 */
import { createHash } from "node:crypto";
import { portableSchema } from "../emit/openapi.js";
import type { SchemaNode } from "../ir/schema-node.js";
import type { ModelPricing } from "../runtime/pricing/pricing.js";
import { formatRule } from "../runtime/validation/rule-eval.js";
import { MEDIA_NOUN, type RuleTarget } from "../runtime/validation/rule-types.js";

/** What the server reads of one model's module in the generated package. */
export interface ModelModule {
  modelId: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  ruleTargets: readonly RuleTarget[];
  pricing: ModelPricing | null;
  example: Record<string, unknown> | null;
}

export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** A model's tool: its definition, and the name of the argument that says not to wait. */
export interface ModelTool extends ToolDefinition {
  modelId: string;
  waitArgument: string;
}

/** Tool names the common clients accept: at most 64 characters of `[a-zA-Z0-9_-]`. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A model's tool name, from its id alone (so stable across runs and catalogs): `/` becomes `_`. An id
 * whose name would be lossy (it has `_` or `.`, which could meet another id's `/`) or too long gets a
 * short hash of the id instead of its tail, so two ids never share a name.
 */
export function toolNameOf(modelId: string): string {
  const plain = modelId.replace(/\//g, "_");
  if (/^[a-zA-Z0-9-]+(?:_[a-zA-Z0-9-]+)*$/.test(plain) && !/[_.]/.test(modelId) && plain.length <= 64) return plain;
  const hash = createHash("sha256").update(modelId).digest("hex").slice(0, 8);
  return `${plain.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 55)}_${hash}`;
}

/** The media rules of a model in words, one line per input that has any. */
export function mediaRuleLines(targets: readonly RuleTarget[]): string[] {
  return targets
    .filter((t) => t.rules.length)
    .map((t) => {
      const where = t.path.map((p) => (p === "*" ? "each item" : p)).join(" › ");
      const rules = t.rules.map((r) =>
        r.kind === "checked"
          ? `${formatRule(r)}${r.source.error ? ` (${r.source.error})` : ""}`
          : `${r.source.rule} ${r.source.value} (not checked here: ${r.reason})`,
      );
      return `${where}${t.media ? ` (${MEDIA_NOUN[t.media]})` : ""}: ${rules.join("; ")}`;
    });
}

export function priceLine(p: ModelPricing | null): string {
  if (!p) return "Price: not recorded in the schema file (see RunComfy's catalog).";
  const q = p.quantity;
  const times =
    q.kind === "property"
      ? ` × the \`${q.property}\` input`
      : q.kind === "one-output-if"
        ? ` (one output when \`${q.property}\` is true)`
        : q.kind === "unknown"
          ? ` (the quantity: ${q.reason})`
          : "";
  const unit =
    p.priceUnit === "second" ? "per second of output" : p.priceUnit === "output" ? "per output" : `per ${p.priceUnit}`;
  return `Price: $${p.basePriceUsd} ${unit}${times}${p.pricingNote ? `; ${p.pricingNote}` : ""}.`;
}

const titleOf = (m: ModelModule) => {
  const t = typeof m.inputSchema.title === "string" ? m.inputSchema.title.trim() : "";
  return t && t.length <= 120 ? t : m.modelId;
};
const makesOf = (m: ModelModule) => Object.keys((m.outputSchema.properties as object | undefined) ?? {}).join(", ");

/** A model's description for agents: what it makes, its price, its media rules, how a call goes. */
export function modelDescription(m: ModelModule): string {
  const rules = mediaRuleLines(m.ruleTargets);
  return [
    `${titleOf(m)} — RunComfy model \`${m.modelId}\`. Makes: ${makesOf(m) || "its output"}.`,
    priceLine(m.pricing),
    rules.length ? `Media rules (checked before anything is submitted):\n${rules.map((l) => `- ${l}`).join("\n")}` : "",
    "Media inputs are public https URLs or data URIs. The input is validated first (schema and media rules); an invalid one submits nothing. A valid call submits the job (billed) and waits for its output, sending progress; cancelling the call cancels a job still queued.",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** The structured result of a run (or of a job not waited for). */
export function runOutputSchema(output: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    type: "object",
    required: ["status"],
    properties: {
      requestId: {
        type: "string",
        description:
          "RunComfy's request id (what the status, result and cancel tools take); absent when nothing was submitted.",
      },
      status: {
        type: "string",
        description:
          "`completed`; the job's state when the call did not wait; `invalid` when the input was refused (nothing submitted).",
      },
      issues: {
        type: "array",
        description: "Why the input was refused: each problem's JSON pointer and message.",
        items: {
          type: "object",
          required: ["path", "message"],
          properties: { path: { type: "string" }, message: { type: "string" }, severity: { type: "string" } },
        },
      },
      output: output ?? { type: "object", description: "The model's output." },
      outputUrls: { type: "array", items: { type: "string" }, description: "Every URL in the output." },
      cost: { type: "number", description: "What the job cost in USD, when RunComfy said." },
      warnings: { type: "array", items: { type: "string" }, description: "Validation warnings (sent as they are)." },
    },
  };
}

/** The model's input schema in plain JSON Schema (media as `format: uri`). */
export const portableInput = (m: ModelModule) => portableSchema(m.inputSchema as SchemaNode);

/** The model's input schema as a tool's input schema, with the argument that says not to wait. */
function toolInputSchema(m: ModelModule): { schema: Record<string, unknown>; waitArgument: string } {
  const schema = portableInput(m);
  const properties = { ...(schema.properties as Record<string, unknown> | undefined) };
  // `wait` unless the model has an input of that name.
  const waitArgument = Object.hasOwn(properties, "wait") ? "runcomfy_wait" : "wait";
  properties[waitArgument] = {
    type: "boolean",
    default: true,
    description: "Not part of the model's input: false submits and returns the request id at once, without waiting.",
  };
  return { schema: { ...schema, type: "object", properties }, waitArgument };
}

export function modelTool(m: ModelModule): ModelTool {
  const { schema, waitArgument } = toolInputSchema(m);
  return {
    name: toolNameOf(m.modelId),
    title: titleOf(m),
    modelId: m.modelId,
    waitArgument,
    description: modelDescription(m),
    inputSchema: schema,
    outputSchema: runOutputSchema(portableSchema(m.outputSchema as SchemaNode)),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  };
}

const requestIdInput = {
  type: "object",
  required: ["request_id"],
  properties: { request_id: { type: "string", description: "The request id a run returned." } },
};

/** Tools about a job already submitted, and the cost estimate: the same in both modes. */
export const FOLLOW_UP_TOOLS: ToolDefinition[] = [
  {
    name: "runcomfy_status",
    description: "A RunComfy job's status (and queue position while queued), by request id.",
    inputSchema: requestIdInput,
    annotations: { readOnlyHint: true, openWorldHint: true },
  },
  {
    name: "runcomfy_result",
    description: "A RunComfy job's result by request id: its output and cost once completed, else its state.",
    inputSchema: requestIdInput,
    annotations: { readOnlyHint: true, openWorldHint: true },
  },
  {
    name: "runcomfy_cancel",
    description:
      "Cancels a RunComfy job while it is queued (nothing billed). A job that already runs cannot be cancelled: it keeps running and is billed.",
    inputSchema: requestIdInput,
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  },
  {
    name: "runcomfy_estimate_cost",
    description: "What a model's input would cost, from the catalog's price (nothing is submitted).",
    inputSchema: {
      type: "object",
      required: ["model_id", "input"],
      properties: {
        model_id: { type: "string", description: "The model id, e.g. bytedance/dreamina-4-0/edit." },
        input: { type: "object", description: "The model's input." },
      },
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
];

/** `--dynamic`: three tools instead of one per model, for catalogs too large for an agent's context. */
export const DYNAMIC_TOOLS: ToolDefinition[] = [
  {
    name: "runcomfy_search_models",
    description:
      "Searches the available RunComfy models by words in their id, title or what they make; returns ids, titles and prices. Then describe one to get its input schema.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "Words to look for (all must match); empty lists every model." },
        limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
      },
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "runcomfy_describe_model",
    description: "A RunComfy model's description, price, media rules and input JSON Schema, by model id.",
    inputSchema: {
      type: "object",
      required: ["model_id"],
      properties: { model_id: { type: "string" } },
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "runcomfy_run_model",
    description:
      "Runs a RunComfy model: validates the input against the model's schema and media rules (an invalid input submits nothing), submits (billed), and waits for the output with progress unless wait is false. Describe the model first for its input schema.",
    inputSchema: {
      type: "object",
      required: ["model_id", "input"],
      properties: {
        model_id: { type: "string" },
        input: { type: "object", description: "The model's input, as its schema says." },
        wait: { type: "boolean", default: true, description: "false: submit and return the request id at once." },
      },
    },
    outputSchema: runOutputSchema(undefined),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  },
];

/** `--models PATTERN[,PATTERN]`: `*` matches any run of characters, `/` included. */
export function modelMatcher(patterns: string | undefined): (modelId: string) => boolean {
  if (!patterns) return () => true;
  const res = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.split("*").map(escapeRegExp).join(".*")}$`));
  return (id) => res.some((re) => re.test(id));
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every URL string in an output, in order. */
export function outputUrls(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string" && /^https?:\/\//.test(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) outputUrls(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) outputUrls(v, out);
  return out;
}

/** Search over id, title and outputs: every word must appear. */
export function searchModels(models: readonly ModelModule[], query: string | undefined, limit: number) {
  const words = (query ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return models
    .filter((m) => {
      const text = `${m.modelId} ${titleOf(m)} ${makesOf(m)}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .slice(0, limit)
    .map((m) => ({ model_id: m.modelId, title: titleOf(m), makes: makesOf(m), price: priceLine(m.pricing) }));
}
