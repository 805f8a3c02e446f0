/**
 * The typed queue client: submit, status, result, cancel, run, subscribe and wait. Web-standard APIs only
 * (fetch, AbortController, URL), so it runs in Node ≥ 20, Bun, Deno, browsers and edge runtimes. The
 * token lives in a closure: it is never a property, never in a message.
 *
 * Types: client/client-types.ts; the four requests: client/requests.ts; waiting for a job: client/run.ts.
 */
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpOptions } from "../api-http/api-request.js";
import { checkApiUrl, resolveBaseUrl, resolveToken } from "./credentials.js";
import { cancel, result, status, submit, type ClientContext } from "./requests.js";
import { RunTimes } from "./poll-plan.js";
import { runJob, waitForJob } from "./run.js";
import type {
  ModelTypeMap,
  RunComfyClient,
  RunOptions,
  RuntimeClientOptions,
  SubmittedJob,
  WaitOptions,
} from "./client-types.js";

export { DEFAULT_BASE_URL } from "./credentials.js";
export { modelPath } from "./requests.js";
export type {
  CancelResult,
  ClientInput,
  ClientOptions,
  CompletedJobResult,
  JobResult,
  JobStatus,
  LoadedModel,
  LocalMedia,
  ModelTypeMap,
  RequestOptions,
  ResultOptions,
  RunComfyClient,
  RunOptions,
  RuntimeClientOptions,
  StatusResult,
  StatusUpdate,
  SubmittedJob,
  WaitOptions,
  WithLocalMedia,
} from "./client-types.js";

/** A proxy URL as given, or resolved against the page's location when relative (browsers). */
function resolveProxyUrl(proxyUrl: string): string {
  const location = (globalThis as { location?: { href?: string } }).location;
  return /^[a-z][a-z0-9+.-]*:/i.test(proxyUrl) || !location?.href ? proxyUrl : new URL(proxyUrl, location.href).href;
}

/** The HTTP settings every request shares (all but the token). */
function httpSettings(options: RuntimeClientOptions, baseUrl: string): Omit<HttpOptions, "token"> {
  return {
    baseUrl,
    fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
    retry: {
      maxRetries: options.retry?.maxRetries ?? 4,
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    random: options.random ?? Math.random,
  };
}

/** Each client's context, for runtime functions that build on the requests (runBatch) without a public handle on it. */
const contexts = new WeakMap<object, ClientContext>();

/** The context of a client `createRuntimeClient` made, or undefined for any other object. */
export const clientContextOf = (client: object): ClientContext | undefined => contexts.get(client);

/** The client the generated package's `createClient` returns, typed by its model map. */
export function createRuntimeClient<M extends ModelTypeMap<M>>(options: RuntimeClientOptions): RunComfyClient<M> {
  // Behind a proxy the token lives on the server; a relative proxy URL resolves against the page.
  const behindProxy = options.proxyUrl !== undefined;
  const baseUrl = behindProxy
    ? resolveProxyUrl(checkApiUrl(options.proxyUrl!, "the proxyUrl option")).replace(/\/+$/, "")
    : resolveBaseUrl(options.baseUrl);
  const settings = httpSettings(options, baseUrl);
  // The token is looked up once, at the first request (the token file is read asynchronously).
  let ready: Promise<HttpOptions> | undefined;
  const connection = () =>
    (ready ??= (behindProxy ? Promise.resolve({ token: undefined }) : resolveToken(options.token)).then(
      ({ token }) => ({ ...settings, token }),
    ));
  const ctx: ClientContext = { baseUrl, connection, options, runTimes: new RunTimes() };
  const client = {
    submit: (modelId: string, input: unknown, opts?: { signal?: AbortSignal }) => submit(ctx, modelId, input, opts),
    status: (request: string, opts?: { signal?: AbortSignal }) => status(ctx, request, opts),
    result: (request: string, opts?: { signal?: AbortSignal; includeCost?: boolean }) => result(ctx, request, opts),
    cancel: (request: string, opts?: { signal?: AbortSignal }) => cancel(ctx, request, opts),
    run: async (modelId: string, input: unknown, opts?: RunOptions) => (await runJob(ctx, modelId, input, opts)).output,
    subscribe: async (modelId: string, input: unknown, opts?: RunOptions) => {
      const r = await runJob(ctx, modelId, input, opts);
      return { data: r.output, requestId: r.requestId };
    },
    wait: async (request: string | SubmittedJob, opts?: WaitOptions) => {
      const r = await waitForJob(ctx, request, opts);
      return { data: r.output, requestId: r.requestId };
    },
    baseUrl,
  };
  contexts.set(client, ctx);
  return client as unknown as RunComfyClient<M>;
}
