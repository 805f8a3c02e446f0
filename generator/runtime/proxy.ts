/**
 * A server-side proxy for browser apps: `(Request) => Promise<Response>`, usable as a Next.js route
 * handler, in Hono, Deno, Bun, Cloudflare Workers or under Node with any Request/Response adapter.
 * It adds the API token (which never reaches the browser) and forwards only the Model API's job
 * routes; everything else is refused. Point the client at it with `createClient({ proxyUrl })`.
 */
import { DEFAULT_BASE_URL } from "./client.js";
import { DATA_URI_MAX_BYTES } from "./data-uri.js";
import { createRedactor } from "./redact.js";

export interface ProxyOptions {
  /** API token added to every forwarded request. Default: RUNCOMFY_API_TOKEN. */
  token?: string;
  /** The Model API. Default: RUNCOMFY_BASE_URL, else https://model-api.runcomfy.net/v1. */
  targetUrl?: string;
  /** Which models browsers may submit to (default: any). Refused submits answer 403. */
  allowModel?: (modelId: string) => boolean;
  /** Largest request body forwarded (default 64 MiB, RunComfy's request cap); larger answers 413. */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

/** The routes forwarded: submit, status, result, cancel (the rest of the path after the mount point). */
const ROUTES: { method: string; pattern: RegExp }[] = [
  { method: "POST", pattern: /\/models\/((?:[A-Za-z0-9._~%-]+\/)*[A-Za-z0-9._~%-]+)$/ },
  { method: "GET", pattern: /\/requests\/([A-Za-z0-9._~%-]+)\/(?:status|result)$/ },
  { method: "POST", pattern: /\/requests\/([A-Za-z0-9._~%-]+)\/cancel$/ },
];

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name] || undefined;
}

/** The route a request path asks for: the Model API path to forward to, or undefined. */
export function proxiedPath(method: string, pathname: string): { path: string; modelId?: string } | undefined {
  // The proxy can be mounted anywhere (/api/runcomfy/…): the route is the path's end.
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (!m || pathname.includes("/../") || pathname.includes("/./")) continue;
    const path = m[0];
    return path.startsWith("/models/") ? { path, modelId: decodeURIComponent(m[1]) } : { path };
  }
  return undefined;
}

export function createProxyHandler(options: ProxyOptions = {}): (request: Request) => Promise<Response> {
  const token = options.token ?? env("RUNCOMFY_API_TOKEN");
  const target = (options.targetUrl ?? env("RUNCOMFY_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const maxBody = options.maxBodyBytes ?? DATA_URI_MAX_BYTES;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  // The one redaction rule of the client (raw, URL-encoded and base64 forms of the token).
  const redact = createRedactor(token).text;
  return async (request: Request): Promise<Response> => {
    if (!token)
      return json(500, {
        error_code: "proxy_not_configured",
        error_message: "the proxy has no RunComfy API token (set RUNCOMFY_API_TOKEN on the server)",
      });
    const url = new URL(request.url);
    const route = proxiedPath(request.method, url.pathname);
    if (!route)
      return json(404, {
        error_code: "proxy_route_not_allowed",
        error_message: `${request.method} ${url.pathname} is not a Model API job route (submit, status, result, cancel)`,
      });
    if (route.modelId !== undefined && options.allowModel && !options.allowModel(route.modelId)) {
      return json(403, {
        error_code: "proxy_model_not_allowed",
        error_message: `model ${route.modelId} is not allowed through this proxy`,
      });
    }
    let body: string | undefined;
    if (request.method === "POST") {
      const declared = Number(request.headers.get("content-length") ?? "0");
      if (declared > maxBody)
        return json(413, {
          error_code: "proxy_body_too_large",
          error_message: `the request body is over ${maxBody} bytes`,
        });
      body = await request.text();
      if (new TextEncoder().encode(body).length > maxBody)
        return json(413, {
          error_code: "proxy_body_too_large",
          error_message: `the request body is over ${maxBody} bytes`,
        });
    }
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
      return json(502, {
        error_code: "proxy_upstream_unreachable",
        error_message: redact(`RunComfy could not be reached: ${(e as Error).message}`),
      });
    }
    const text = redact(await upstream.text());
    return new Response(text, {
      status: upstream.status,
      headers: {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
        "cache-control": "no-store",
      },
    });
  };
}
