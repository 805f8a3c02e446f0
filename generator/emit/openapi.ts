/**
 * The OpenAPI 3.1 description of RunComfy's Model API for the package's models, for other languages'
 * generators. Two kinds of file:
 * - `openapi/<model id>.json`, one per model (emitted with the model, cached with it): the model's
 *   path item (submit, and its catalog entry) and its schemas (input, output, typed result);
 * - `openapi.json`, the root: the server, bearer security, the queue and catalog routes every model
 *   shares, their answer schemas, and a `$ref` to each model's path item. It depends on the listing
 *   only (ids and paths), like the other files that list every model, so a run that changes one
 *   model rewrites one small file, whatever the catalog's size. `runcomfy-codegen openapi` bundles
 *   the tree into one self-contained document (`bundleOpenApi`) for tools that want a single file.
 * Media inputs are `format: uri` (an https URL or a data URI), their kind and rules kept in
 * `x-runcomfy-media` / `x-runcomfy-rules` and said in words in the description.
 */
import type { ModelIR } from "../model/model.js";
import type { SchemaNode } from "../ir/schema-node.js";
import { encodePointerToken } from "../runtime/json-pointer.js";
import { formatRule } from "../runtime/validation/rule-eval.js";
import { MEDIA_NOUN, type MediaKind, type Rule } from "../runtime/validation/rule-types.js";
import { mapSchema } from "../ir/schema-node.js";
import { rulesText } from "./docs.js";

export const OPENAPI_ROOT = "openapi.json";
export const OPENAPI_SERVER = "https://model-api.runcomfy.net";

/** Where a model's OpenAPI file lives in the package. */
export const openApiPathOf = (modelId: string) => `openapi/${modelId}.json`;

/** The submit route of a model: its id in the path as RunComfy's clients send it (slashes kept, not encoded). */
export const submitPathOf = (modelId: string) => `/v1/models/${modelId}`;

/** `bytedance/dreamina-4-0/edit` → `BytedanceDreamina40Edit`: the stem of the model's component names and operation ids. */
export function openApiNameOf(modelId: string): string {
  return modelId
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** A JSON file's text as every output file of the package: two-space indent, a final newline. */
const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The relative path from a model's OpenAPI file back to the root document. */
const rootFrom = (modelId: string) => `${"../".repeat(modelId.split("/").length)}${OPENAPI_ROOT}`;

/** Where a model's path item is, as a reference from the root. */
export const pathItemRef = (modelId: string) =>
  `${openApiPathOf(modelId)}#/paths/${encodePointerToken(submitPathOf(modelId))}`;

// ---------------------------------------------------------------------------------------------
// Schemas: the normalized schema in OpenAPI 3.1's dialect (JSON Schema 2020-12).

/**
 * A normalized schema as OpenAPI components: the schema itself under `name`, and each of its
 * `definitions` / `$defs` as a component of its own (`<name>.<definition>`), since generators read
 * references to components, not pointers into one. References are re-pointed accordingly.
 */
export function schemaComponents(schema: SchemaNode, name: string): Record<string, Record<string, unknown>> {
  const component = (n: string) => `#/components/schemas/${n}`;
  const moved = new Map<string, string>(); // "#/definitions/X" → its component's reference
  const used = new Set([name]);
  const defs: [string, SchemaNode][] = [];
  for (const keyword of ["definitions", "$defs"] as const) {
    for (const [key, def] of Object.entries(schema[keyword] ?? {})) {
      const stem = `${name}.${key.replace(/[^A-Za-z0-9._-]/g, "_")}`;
      let defName = stem;
      for (let n = 2; used.has(defName); n++) defName = `${stem}_${n}`;
      used.add(defName);
      moved.set(`#/${keyword}/${encodePointerToken(key)}`, component(defName));
      defs.push([defName, def]);
    }
  }
  const mapRef = (ref: string): string => {
    if (ref === "#") return component(name);
    for (const [from, to] of moved) if (ref === from || ref.startsWith(`${from}/`)) return to + ref.slice(from.length);
    return ref.startsWith("#/") ? component(name) + ref.slice(1) : ref;
  };
  const { definitions: _d, $defs: _s, ...rest } = schema;
  const out: Record<string, Record<string, unknown>> = { [name]: openApiSchema(rest, mapRef) };
  for (const [defName, def] of defs) out[defName] = openApiSchema(def, mapRef);
  return out;
}

/**
 * A normalized schema node as an OpenAPI schema object (JSON Schema 2020-12): `$ref`s mapped by
 * `mapRef`, media strings as `format: uri` with their kind and rules as extensions, draft-07's
 * `dependencies` split into 2020-12's keywords. A copy through `mapSchema`, the one helper that
 * knows which keywords hold subschemas.
 */
function openApiSchema(node: SchemaNode, mapRef: (ref: string) => string): Record<string, unknown> {
  const view = (n: SchemaNode): Record<string, unknown> => openApiSchema(n, mapRef);
  const out = mapSchema(node, (k) => k !== "x-media" && k !== "x-rules" && k !== "dependencies", view);
  if (typeof node.$ref === "string") out.$ref = mapRef(node.$ref);
  if (node.dependencies) {
    const required: Record<string, string[]> = { ...node.dependentRequired };
    const schemas: Record<string, unknown> = {};
    for (const [key, dep] of Object.entries(node.dependencies)) {
      if (Array.isArray(dep)) required[key] = dep;
      else schemas[key] = view(dep);
    }
    if (Object.keys(required).length) out.dependentRequired = required;
    if (Object.keys(schemas).length)
      out.dependentSchemas = { ...(out.dependentSchemas as Record<string, unknown> | undefined), ...schemas };
  }
  const media = node["x-media"];
  if (media) {
    // A media reference is a URI (https URL, or a data: URI as RunComfy's own clients send); the kind stays as data.
    out.format = "uri";
    out["x-runcomfy-media"] = media;
    if (node.format && node.format !== "uri") out["x-runcomfy-format"] = node.format;
  }
  const rules = node["x-rules"];
  if (rules?.length) out["x-runcomfy-rules"] = rules.map(ruleExtension);
  const words = mediaWords(node);
  if (words) out.description = node.description ? `${node.description}\n\n${words}` : words;
  return out;
}

/** A media rule as the schema file states it, with the check it is read as (or why it is not checked). */
function ruleExtension(rule: Rule): Record<string, unknown> {
  const { rule: name, value, error } = rule.source;
  const base: Record<string, unknown> = { validation_rule: name, validation_value: value };
  if (error) base.error_message = error;
  if (rule.kind === "checked") base.check = formatRule(rule);
  else base.unchecked = rule.reason;
  return base;
}

/** The media kind and rules of a property in words, for readers of the document. */
function mediaWords(node: SchemaNode): string {
  const lines: string[] = [];
  const media: MediaKind | undefined = node["x-media"];
  if (media) lines.push(`Media: a public https URL or a data URI of ${MEDIA_NOUN[media]}.`);
  for (const rule of rulesText(node)) lines.push(`Rule: ${rule}.`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// One model's file.

/** What the model makes, from its output schema's properties: `image, images`. */
function outputWords(model: ModelIR): string {
  const names = Object.keys(model.output.schema.properties ?? {});
  return names.length ? names.join(", ") : "its output";
}

function priceWords(model: ModelIR): string | undefined {
  const p = model.pricing;
  if (!p) return undefined;
  const per =
    p.priceUnit === "second" ? "per second of output" : p.priceUnit === "output" ? "per output" : `per ${p.priceUnit}`;
  const q = p.quantity;
  const times = q.kind === "property" ? ` × \`${q.property}\`` : "";
  return `Price: $${p.basePriceUsd} ${per}${times}${p.pricingNote ? `; ${p.pricingNote}` : ""}.`;
}

/** `openapi/<id>.json`: the model's submit route and catalog entry, and its schemas. */
export function emitOpenApiModel(model: ModelIR): string {
  const name = openApiNameOf(model.modelId);
  const root = rootFrom(model.modelId);
  const shared = (schema: string) => ({ $ref: `${root}#/components/schemas/${schema}` });
  const sharedResponse = (response: string) => ({ $ref: `${root}#/components/responses/${response}` });
  const local = (suffix: string) => `#/components/schemas/${name}${suffix}`;
  const title = titleOf(model);
  const description = [
    `Submits a \`${model.modelId}\` job. It makes: ${outputWords(model)}.`,
    priceWords(model),
    "Poll the status, then fetch the result (its output is " +
      `\`${name}Output\`); a queued job can be cancelled. Validate media inputs first: RunComfy checks their rules after submit.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const errors = Object.fromEntries(ERROR_STATUSES.map((s) => [s, sharedResponse("Error")]));
  const submit: Record<string, unknown> = {
    operationId: `submit${name}`,
    summary: title,
    description,
    tags: [model.modelId.split("/")[0]],
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: { $ref: local("Input") }, example: model.usage.input },
      },
    },
    responses: {
      "200": {
        description: "The job is queued: its request id and the URLs of its status, result and cancel routes.",
        content: { "application/json": { schema: shared("SubmitResponse") } },
        links: {
          status: { operationId: "getRequestStatus", parameters: { request_id: "$response.body#/request_id" } },
          result: { operationId: "getRequestResult", parameters: { request_id: "$response.body#/request_id" } },
          cancel: { operationId: "cancelRequest", parameters: { request_id: "$response.body#/request_id" } },
        },
      },
      ...errors,
    },
    "x-runcomfy-model-id": model.modelId,
    "x-runcomfy-result-schema": { $ref: local("Result") },
  };
  if (model.pricing)
    submit["x-runcomfy-pricing"] = {
      base_price_usd: model.pricing.basePriceUsd,
      price_unit: model.pricing.priceUnit,
      ...(model.pricing.pricingNote ? { pricing_note: model.pricing.pricingNote } : {}),
    };
  const catalog = {
    operationId: `get${name}CatalogEntry`,
    summary: `${title}: catalog entry`,
    description: `The catalog's entry for \`${model.modelId}\` (display name, categories, price, input schema).`,
    tags: ["catalog"],
    responses: {
      "200": { description: "The catalog entry.", content: { "application/json": { schema: shared("CatalogEntry") } } },
      ...errors,
    },
  };
  const doc = {
    openapi: "3.1.0",
    info: {
      title: `RunComfy Model API: ${model.modelId}`,
      // This file changes exactly when the model's schema file does.
      version: `schema ${model.sourceHash.slice(0, 12)}`,
      description: `Generated from ${model.sourcePath}; part of ${OPENAPI_ROOT}, which refers to it.`,
    },
    servers: [{ url: OPENAPI_SERVER }],
    security: [{ bearerAuth: [] }],
    paths: { [submitPathOf(model.modelId)]: { post: submit, get: catalog } },
    components: {
      schemas: {
        ...schemaComponents(model.input.schema, `${name}Input`),
        ...schemaComponents(model.output.schema, `${name}Output`),
        [`${name}Result`]: {
          description: `A finished \`${model.modelId}\` job's result.`,
          allOf: [shared("ResultResponse"), { type: "object", properties: { output: { $ref: local("Output") } } }],
        },
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
  return jsonText(doc);
}

function titleOf(model: ModelIR): string {
  const title = model.input.schema.title?.trim();
  return title && title.length <= 120 ? title : model.modelId;
}

// ---------------------------------------------------------------------------------------------
// The root document.

const SECURITY_SCHEMES = {
  bearerAuth: { type: "http", scheme: "bearer", description: "The API token from the RunComfy profile page." },
};

/** The statuses RunComfy's error answers come with (the error body carries `error_code` where it has one). */
const ERROR_STATUSES = ["400", "401", "402", "403", "404", "422", "429", "500"];

const uri = { type: "string", format: "uri" };
const requestId = {
  type: "string",
  description: "The job's id, as the submit answer gave it (RunComfy's clients accept `[a-zA-Z0-9_-]{1,128}`).",
};
const jobStatus = {
  type: "string",
  description:
    "The job's state. Documented: `in_queue`, `in_progress`, `completed`, `cancelled`; RunComfy's clients also treat `failed` as an end.",
  examples: ["in_queue", "in_progress", "completed", "cancelled", "failed"],
};

const SHARED_SCHEMAS = {
  SubmitResponse: {
    type: "object",
    required: ["request_id"],
    properties: {
      request_id: requestId,
      status_url: { ...uri, description: "Where to poll the job's status." },
      result_url: { ...uri, description: "Where to fetch the outputs once the job completes." },
      cancel_url: { ...uri, description: "Where to cancel the job while it is queued." },
    },
  },
  StatusResponse: {
    type: "object",
    required: ["status"],
    properties: {
      request_id: requestId,
      status: jobStatus,
      queue_position: { type: "integer", description: "The job's place in the queue, while `in_queue`." },
      status_url: uri,
      result_url: uri,
    },
  },
  ResultResponse: {
    type: "object",
    required: ["status"],
    properties: {
      request_id: requestId,
      status: jobStatus,
      output: {
        type: "object",
        description:
          "The outputs, by media kind (`image`, `images`, `video`, …): each model's shape is its `<Model>Output` schema (its submit operation's `x-runcomfy-result-schema`).",
      },
      created_at: { type: "string", description: "When the job was submitted." },
      finished_at: { type: "string", description: "When the job ended." },
      error: { description: "Why a failed job failed, as the service says it." },
      error_code: {
        type: ["integer", "string"],
        description: "A failed job's error code, when the service gives one.",
      },
      error_message: { type: "string", description: "A failed job's reason, when the service gives one." },
      cost: { type: "number", description: "What the job cost in USD (asked with `include_cost=true`)." },
    },
  },
  CancelResponse: {
    type: "object",
    properties: {
      request_id: requestId,
      status: jobStatus,
      outcome: {
        type: "string",
        description:
          "`cancelled`, or `not_cancellable` once the job runs (only queued jobs can be cancelled). An answer without `outcome` or `status` says nothing about the job.",
        examples: ["cancelled", "not_cancellable"],
      },
    },
  },
  Error: {
    type: "object",
    description: "RunComfy's error answer: a message, a numeric `error_code` when available, sometimes a `detail`.",
    properties: {
      error_code: {
        type: ["integer", "string"],
        description:
          "400001 invalid resource (e.g. model id), 400002 insufficient balance, 400004 account or token problem, 403001 another user's request, 404001 not found, 422001 validation error, 500001 internal error.",
      },
      error_message: { type: "string" },
      message: { type: "string" },
      error: { type: "string" },
      detail: { description: "Validation errors: a list of `{ loc, msg }`, or text." },
    },
  },
  CatalogEntry: {
    type: "object",
    required: ["model_id"],
    properties: {
      model_id: { type: "string" },
      display_name: { type: "string" },
      categories: { type: "array", items: { type: "string" } },
      kind: { type: "string", description: "`model` for hosted models." },
      base_price_usd: { type: "number" },
      price_unit: { type: "string", description: "What the price multiplies: `output` or `second`." },
      pricing_note: { type: "string" },
      input_schema: {
        type: "object",
        description: "The model's input schema as the catalog has it (with `include_schema=true`).",
      },
    },
  },
  CatalogPage: {
    type: "object",
    required: ["models"],
    properties: {
      models: { type: "array", items: { $ref: "#/components/schemas/CatalogEntry" } },
      total: { type: "integer", description: "How many models match, over every page." },
    },
  },
  Categories: {
    type: "object",
    required: ["categories"],
    properties: { categories: { type: "array", items: { type: "string" } } },
  },
};

const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
const errorResponses = Object.fromEntries(ERROR_STATUSES.map((s) => [s, { $ref: "#/components/responses/Error" }]));
const json = (schema: string, description: string) => ({
  description,
  content: { "application/json": { schema: ref(schema) } },
});
const requestIdParameter = { $ref: "#/components/parameters/RequestId" };
const query = (name: string, schema: object, description: string) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
});

const SHARED_PATHS = {
  "/v1/requests/{request_id}/status": {
    get: {
      operationId: "getRequestStatus",
      summary: "A job's status",
      tags: ["requests"],
      parameters: [requestIdParameter],
      responses: {
        "200": json("StatusResponse", "The job's status (and queue position while queued)."),
        ...errorResponses,
      },
    },
  },
  "/v1/requests/{request_id}/result": {
    get: {
      operationId: "getRequestResult",
      summary: "A job's result",
      description: "The outputs once the job completed; before that, its current state, so polling can go on.",
      tags: ["requests"],
      parameters: [requestIdParameter, query("include_cost", { type: "boolean" }, "Add the job's `cost` (USD).")],
      responses: {
        "200": json("ResultResponse", "The job's result, or its state while unfinished."),
        ...errorResponses,
      },
    },
  },
  "/v1/requests/{request_id}/cancel": {
    post: {
      operationId: "cancelRequest",
      summary: "Cancel a queued job",
      description: "Only queued jobs can be cancelled; a running job answers `outcome: not_cancellable` and is billed.",
      tags: ["requests"],
      parameters: [requestIdParameter],
      responses: { "200": json("CancelResponse", "What became of the job."), ...errorResponses },
    },
  },
  "/v1/models": {
    get: {
      operationId: "listModels",
      summary: "The model catalog, a page at a time",
      tags: ["catalog"],
      parameters: [
        query("search", { type: "string" }, "Words to look for."),
        query("category", { type: "string" }, "A category (see `/v1/models/categories`)."),
        query("kind", { type: "string" }, "`model` for hosted models."),
        query("include_schema", { type: "boolean" }, "Add each model's `input_schema`."),
        query("limit", { type: "integer", minimum: 1, maximum: 100 }, "Models per page."),
        query("offset", { type: "integer", minimum: 0 }, "Models to skip."),
      ],
      responses: { "200": json("CatalogPage", "One page of the catalog."), ...errorResponses },
    },
  },
  "/v1/models/categories": {
    get: {
      operationId: "listModelCategories",
      summary: "The catalog's categories",
      tags: ["catalog"],
      responses: { "200": json("Categories", "Every category."), ...errorResponses },
    },
  },
};

const API_DESCRIPTION =
  "RunComfy's queue API for the package's models: submit a model's input (`POST /v1/models/{model id}`), poll the status, fetch the result, cancel while queued.";
const TREE_NOTE =
  "Each model's route and schemas are in `openapi/<model id>.json`; `npx runcomfy-codegen openapi` bundles everything into one file.";

/** `openapi.json`: the shared routes and schemas, and a reference to each model's path item. */
export function emitOpenApiRoot(
  models: readonly (readonly [modelId: string, modulePath: string])[],
  packageVersion: string,
): string {
  const byName = new Map<string, string>();
  for (const [modelId] of models) {
    const name = openApiNameOf(modelId);
    const other = byName.get(name);
    // Two ids that differ only in punctuation would share operation ids and schema names.
    if (other !== undefined)
      throw new Error(`models ${other} and ${modelId} would share the OpenAPI name ${name}; rename one schema file`);
    byName.set(name, modelId);
  }
  const paths: Record<string, unknown> = { ...SHARED_PATHS };
  for (const [modelId] of models) paths[submitPathOf(modelId)] = { $ref: pathItemRef(modelId) };
  const doc = {
    openapi: "3.1.0",
    info: {
      title: "RunComfy Model API",
      version: packageVersion,
      description: `${API_DESCRIPTION} ${TREE_NOTE}`,
    },
    servers: [{ url: OPENAPI_SERVER }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "requests", description: "A submitted job: status, result, cancel." },
      { name: "catalog", description: "The model catalog." },
    ],
    paths,
    components: {
      schemas: SHARED_SCHEMAS,
      parameters: {
        RequestId: { name: "request_id", in: "path", required: true, schema: requestId },
      },
      responses: {
        Error: { description: "An error answer.", content: { "application/json": { schema: ref("Error") } } },
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
  return jsonText(doc);
}

// ---------------------------------------------------------------------------------------------
// One file for tools that want one.

/**
 * The root document with every model's path item and schemas taken in: one self-contained
 * document. `read` gives a file of the package by its path (`openapi/<id>.json`), parsed.
 * References between the files become references inside the one document.
 */
export function bundleOpenApi(root: Record<string, unknown>, read: (path: string) => unknown): Record<string, unknown> {
  const doc = structuredClone(root) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, unknown> };
  };
  for (const [route, item] of Object.entries(doc.paths)) {
    const target = typeof item.$ref === "string" ? item.$ref : undefined;
    if (!target) continue;
    const [file, fragment] = target.split("#");
    const model = read(file) as {
      paths: Record<string, unknown>;
      components?: { schemas?: Record<string, unknown> };
    };
    const local = (ref: string) => (ref.includes("#") ? `#${ref.split("#")[1]}` : ref);
    const pathItem = Object.hasOwn(model.paths, route) ? model.paths[route] : undefined;
    if (pathItem === undefined || `/paths/${encodePointerToken(route)}` !== fragment)
      throw new Error(`${file} has no path item for ${route}`);
    doc.paths[route] = rewriteRefs(pathItem, local) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(model.components?.schemas ?? {})) {
      if (Object.hasOwn(doc.components.schemas, name)) throw new Error(`${file}: schema ${name} is defined twice`);
      doc.components.schemas[name] = rewriteRefs(schema, local);
    }
  }
  (doc as Record<string, unknown>).info = { ...(root.info as object), description: API_DESCRIPTION };
  return doc;
}

/** Keywords whose values are data (an example may hold a key named `$ref`): copied as they are. */
const DATA_KEYWORDS = new Set(["example", "examples", "default", "enum", "const"]);

/** A copy of a JSON value with each `$ref` string mapped. */
function rewriteRefs(value: unknown, map: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, map));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const mapped = k === "$ref" && typeof v === "string" ? map(v) : DATA_KEYWORDS.has(k) ? v : rewriteRefs(v, map);
    Object.defineProperty(out, k, { value: mapped, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A normalized schema in plain JSON Schema 2020-12 for other consumers (an MCP tool's input schema):
 * media strings as `format: uri` with their kind as `x-runcomfy-media`, references left as they are.
 */
export const portableSchema = (node: SchemaNode): Record<string, unknown> => openApiSchema(node, (ref) => ref);
