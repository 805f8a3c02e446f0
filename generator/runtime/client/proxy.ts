/**
 * A server-side proxy for browser apps: `(Request) => Promise<Response>`, usable as a Next.js route
 * handler, in Hono, Deno, Bun, Cloudflare Workers or under Node with any Request/Response adapter.
 * It adds the API token (which never reaches the browser) and forwards only the Model API's job
 * routes; everything else is refused. Point the client at it with `createClient({ proxyUrl })`.
 *
 * It faces the internet, so every input is hostile: the body is read with a running count, paths are
 * decoded and checked segment by segment and rebuilt from the checked ids, every answer is JSON with
 * `nosniff`, upstream answers are read under a cap, and the returned promise never rejects.
 */
import { modelPath } from "./requests.js";
import { DEFAULT_BASE_URL, MIN_TOKEN_LENGTH, processEnv, resolveBaseUrl } from "./credentials.js";
import { DATA_URI_MAX_BYTES } from "../media/data-uri.js";
import { DEFAULT_MAX_RESPONSE_BYTES, readAtMost } from "../api-http/api-request.js";
import { MODEL_ID_PATTERN } from "../model-id.js";
import { createRedactor, truncate } from "../api-http/redact.js";

/** What a request asks the proxy for, as checked: the ids decoded, the path to forward built from them. */
export interface ProxyRoute {
  kind: "submit" | "status" | "result" | "cancel";
  /** The Model API path forwarded (below the target URL), built from the checked ids. */
  path: string;
  /** The model submitted to (submit only). */
  modelId?: string;
  /** The job asked about (status, result, cancel). */
  requestId?: string;
}

export interface ProxyOptions {
  /** API token added to every forwarded request. Default: RUNCOMFY_API_TOKEN. */
  token?: string;
  /** The Model API. Default: RUNCOMFY_BASE_URL, RUNCOMFY_MODEL_API_BASE, else https://model-api.runcomfy.net/v1. */
  targetUrl?: string;
  /**
   * Who may use the proxy, asked for every job-route request before anything is read or forwarded
   * (the route says which model or job it is about). `false` answers 403; a Response is sent as it is.
   * Without it, anyone who reaches the route spends the token's balance and can read or cancel any job
   * whose id they know.
   */
  authorize?: (request: Request, route: ProxyRoute) => boolean | Response | Promise<boolean | Response>;
  /** Called with the request id of every accepted submit before its answer goes out (tie jobs to a session here). */
  onSubmitted?: (requestId: string, request: Request) => void | Promise<void>;
  /** Which models may be submitted to (default: any). Refused submits answer 403. */
  allowModel?: (modelId: string) => boolean;
  /** Largest request body forwarded (default 64 MiB, RunComfy's request cap); larger answers 413 and the rest is not read. */
  maxBodyBytes?: number;
  /** Largest RunComfy answer read (default 16 MiB, the client's `maxResponseBytes`); larger answers 502. */
  maxResponseBytes?: number;
  /** Requests a browser marks cross-site (`Sec-Fetch-Site: cross-site`) are refused (403) unless this is true. */
  allowCrossSite?: boolean;
  /** Told about failures of the hooks above (they answer 500). Default: `console.error`. */
  onError?: (error: unknown, request: Request) => void;
  fetch?: typeof fetch;
}

/** A refusal: answered as JSON with this status and code; no other error leaves a step of the handler. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The routes forwarded, matched on the raw path's end (the proxy can be mounted anywhere). */
const ROUTES: { method: string; kind: ProxyRoute["kind"]; pattern: RegExp }[] = [
  { method: "POST", kind: "submit", pattern: /\/models\/((?:[A-Za-z0-9._~%-]+\/)*[A-Za-z0-9._~%-]+)$/ },
  { method: "GET", kind: "status", pattern: /\/requests\/([A-Za-z0-9._~%-]+)\/status$/ },
  { method: "GET", kind: "result", pattern: /\/requests\/([A-Za-z0-9._~%-]+)\/result$/ },
  { method: "POST", kind: "cancel", pattern: /\/requests\/([A-Za-z0-9._~%-]+)\/cancel$/ },
];

/** Statuses whose answers have no body (a Response with one cannot be built). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

const HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status, headers: HEADERS });

const malformed = (message: string) => new Refusal(400, "proxy_bad_request", message);

/** One path segment decoded; an encoded `/`, a `.` or `..` segment, or a broken escape is refused. */
function decodeSegment(raw: string): string {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    throw malformed(`the path segment ${JSON.stringify(raw)} is not valid percent-encoding`);
  }
  if (segment.includes("/") || segment.includes("\\"))
    throw malformed(`the path segment ${JSON.stringify(raw)} encodes a slash`);
  if (segment === "." || segment === "..") throw malformed(`the path has a ${JSON.stringify(raw)} segment`);
  return segment;
}

/**
 * The route a request asks for, or undefined when it is none of the job routes. Ids are decoded and
 * checked (a malformed one throws, answered 400 by the handler) and the forwarded path is built from
 * them, so `allowModel` and `authorize` see exactly what is sent.
 */
export function proxiedPath(method: string, pathname: string): ProxyRoute | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    if (route.kind === "submit") {
      const modelId = m[1].split("/").map(decodeSegment).join("/");
      if (!MODEL_ID_PATTERN.test(modelId))
        throw new Refusal(
          400,
          "proxy_bad_model_id",
          `${JSON.stringify(modelId)} is not a model id (segments of letters, digits, ".", "_", "-")`,
        );
      return { kind: route.kind, path: modelPath(modelId), modelId };
    }
    const requestId = decodeSegment(m[1]);
    return { kind: route.kind, path: `/requests/${encodeURIComponent(requestId)}/${route.kind}`, requestId };
  }
  return undefined;
}

/** The request body, read with a running count: past `limit` bytes a 413 and the rest is never read. */
async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const length = request.headers.get("content-length");
  if (length !== null && !/^\d+$/.test(length.trim()))
    throw malformed(`Content-Length ${JSON.stringify(truncate(length, 40))} is not a number of bytes`);
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  try {
    bytes = await readAtMost(request.body, limit, length === null ? undefined : Number(length));
  } catch {
    throw malformed("the request body could not be read");
  }
  if (bytes === undefined) throw new Refusal(413, "proxy_body_too_large", `the request body is over ${limit} bytes`);
  return bytes.byteLength ? bytes : undefined;
}

export function createProxyHandler(options: ProxyOptions = {}): (request: Request) => Promise<Response> {
  const token = options.token ?? (processEnv().RUNCOMFY_API_TOKEN || undefined);
  // A setup mistake answers 500 on every request (a route module is often loaded before its environment).
  let configError: string | undefined;
  let target = DEFAULT_BASE_URL;
  try {
    target = resolveBaseUrl(options.targetUrl, processEnv(), "the targetUrl option");
  } catch (e) {
    configError = (e as Error).message;
  }
  if (!token) configError = "the proxy has no RunComfy API token (set RUNCOMFY_API_TOKEN on the server)";
  else if (token.length < MIN_TOKEN_LENGTH)
    configError = `the proxy's RunComfy API token is shorter than ${MIN_TOKEN_LENGTH} characters: copy the whole token`;
  const maxBody = options.maxBodyBytes ?? DATA_URI_MAX_BYTES;
  const maxAnswer = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const onError = (e: unknown, request: Request) => {
    try {
      (options.onError ?? ((error: unknown) => console.error("runcomfy proxy:", error)))(e, request);
    } catch {
      // A failing error reporter must not turn an answer into a rejection.
    }
  };
  // The one redaction rule of the client (raw, URL-encoded and base64 forms of the token).
  const redact = createRedactor(token);

  /** A hook's own failure: told to onError, answered 500 without its message (it may hold server secrets). */
  async function hook<T>(request: Request, what: string, call: () => T | Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      onError(e, request);
      throw new Refusal(500, "proxy_internal_error", `the proxy's ${what} failed; the server's log says why`);
    }
  }

  /** RunComfy's answer, as JSON with its status; what is not JSON becomes an error naming what came. */
  async function answer(upstream: Response, route: ProxyRoute, request: Request): Promise<Response> {
    const declared = Number(upstream.headers.get("content-length") ?? Number.NaN);
    let bytes: Uint8Array<ArrayBuffer> | undefined;
    try {
      bytes = await readAtMost(upstream.body, maxAnswer, Number.isNaN(declared) ? undefined : declared);
    } catch {
      throw new Refusal(502, "proxy_upstream_unreachable", "the connection to RunComfy dropped during its answer");
    }
    if (bytes === undefined)
      throw new Refusal(
        502,
        "proxy_upstream_too_large",
        `RunComfy's answer is over the proxy's ${maxAnswer}-byte limit`,
      );
    if (upstream.status < 200 || upstream.status > 599)
      throw new Refusal(502, "proxy_upstream_bad_answer", `RunComfy answered with HTTP status ${upstream.status}`);
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === "") return new Response(null, { status: upstream.status, headers: HEADERS });
    let body: unknown;
    try {
      body = redact.value(JSON.parse(text));
    } catch {
      const type = upstream.headers.get("content-type") ?? "no content type";
      throw new Refusal(
        upstream.status >= 400 ? upstream.status : 502,
        "proxy_upstream_not_json",
        `RunComfy's answer (HTTP ${upstream.status}, ${truncate(redact.text(type), 100)}) is not JSON: ${truncate(redact.text(text), 300)}`,
      );
    }
    const requestId = (body as { request_id?: unknown } | null)?.request_id;
    if (route.kind === "submit" && upstream.ok && typeof requestId === "string" && options.onSubmitted) {
      const onSubmitted = options.onSubmitted;
      await hook(request, "onSubmitted hook", () => onSubmitted(requestId, request)).catch((e: Refusal) => {
        // The job exists: its id goes out with the error, so nothing is lost.
        throw new Refusal(e.status, e.code, `${e.message} (the job was submitted)`, { request_id: requestId });
      });
    }
    if (NULL_BODY_STATUSES.has(upstream.status))
      return new Response(null, { status: upstream.status, headers: HEADERS });
    return new Response(JSON.stringify(body), { status: upstream.status, headers: HEADERS });
  }

  async function handle(request: Request): Promise<Response> {
    if (configError) throw new Refusal(500, "proxy_not_configured", configError);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw malformed("the request URL does not parse");
    }
    const route = proxiedPath(request.method, url.pathname);
    if (!route)
      throw new Refusal(
        404,
        "proxy_route_not_allowed",
        `${request.method} ${truncate(url.pathname, 200)} is not a Model API job route (submit, status, result, cancel)`,
      );
    if (!options.allowCrossSite && request.headers.get("sec-fetch-site") === "cross-site")
      throw new Refusal(
        403,
        "proxy_cross_site",
        "the browser marked this request cross-site; this proxy serves its own site",
      );
    if (options.authorize) {
      const authorize = options.authorize;
      const verdict = await hook(request, "authorize hook", () => authorize(request, route));
      if (verdict instanceof Response) return verdict;
      if (verdict !== true) throw new Refusal(403, "proxy_not_authorized", "this request is not authorized");
    }
    if (route.modelId !== undefined && options.allowModel) {
      const allowModel = options.allowModel;
      const modelId = route.modelId;
      if (!(await hook(request, "allowModel hook", () => allowModel(modelId))))
        throw new Refusal(403, "proxy_model_not_allowed", `model ${modelId} is not allowed through this proxy`);
    }
    const body = request.method === "POST" ? await readBody(request, maxBody) : undefined;
    // Only what the API needs: the browser's cookies and credentials stay here.
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let upstream: Response;
    try {
      upstream = await doFetch(`${target}${route.path}${url.search}`, {
        method: request.method,
        headers,
        body,
        redirect: "manual",
        signal: request.signal,
      });
    } catch (e) {
      throw new Refusal(
        502,
        "proxy_upstream_unreachable",
        redact.text(`RunComfy could not be reached: ${(e as Error)?.message}`),
      );
    }
    return answer(upstream, route, request);
  }

  return async (request: Request): Promise<Response> => {
    try {
      return await handle(request);
    } catch (e) {
      if (e instanceof Refusal) return json(e.status, { ...e.extra, error_code: e.code, error_message: e.message });
      // Nothing else should be thrown; if it is, the caller still gets an answer and the server a log line.
      onError(e, request);
      return json(500, {
        error_code: "proxy_internal_error",
        error_message: "the proxy failed; the server's log says why",
      });
    }
  };
}
