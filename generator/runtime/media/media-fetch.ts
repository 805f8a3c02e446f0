/**
 * GET requests for the probe and downloads, behind one interface with two implementations: under
 * Node, node:http/https connecting only to addresses the policy has checked (media/node-media-fetch.ts);
 * elsewhere the platform's fetch, which resolves names itself, so only address literals and
 * localhost names can be refused there. Redirects are followed here, one hop at a time, each hop
 * going through the transport's checks. One AbortSignal (the caller's deadline) bounds everything.
 */
import { ProbeError } from "./byte-reader.js";
import { isIpLiteral, isLocalhostName, isPrivateAddress } from "./address-policy.js";

export interface AddressPolicy {
  /** Allow loopback, private, link-local and other special-purpose addresses. */
  allowPrivateNetwork?: boolean;
  /** Resolves a host name to its addresses. Default: the system resolver (Node only). */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

/** One HTTP answer whose body is read a chunk at a time. */
export interface HttpAnswer {
  status: number;
  /** A response header (lower-case name), or null. */
  header(name: string): string | null;
  /** The next body chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  /** Stops reading: the connection is closed unless the body was read to its end. Idempotent. */
  close(): void;
  /** Set when the platform followed redirects itself: the URL that answered. */
  finalUrl?: string;
}

export interface Transport {
  get(url: URL, headers: Record<string, string>): Promise<HttpAnswer>;
  /** Closes every connection the transport kept open. */
  close(): void;
  /** Whether connections go only to addresses checked by the policy (false: the platform resolves names itself). */
  readonly pinned: boolean;
}

/** Whether this runs under Node (so node:http and node:dns can be used). */
export const runsOnNode = () =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/** Whether this runs in a web browser (where cross-origin reads need CORS headers). */
export const runsInBrowser = () =>
  !runsOnNode() && /Mozilla\//.test((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "");

/** The caller's signal and a timeout as one signal. */
export function deadline(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Settles with `promise`, or rejects with the signal's reason once it aborts (for work that takes no signal, like DNS). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/** Refuses a URL whose host is a special-purpose address literal (checked before any connection). */
export function checkHostLiteral(url: URL, policy: AddressPolicy): void {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!policy.allowPrivateNetwork && isIpLiteral(host) && isPrivateAddress(host))
    throw new ProbeError(`refused to contact private address ${host} (set allowPrivateNetwork to allow)`, "refused");
}

/** Resolves a name and refuses it if any of its addresses is special-purpose. Bounded by the signal. */
export async function vetHost(
  host: string,
  resolve: (host: string) => Promise<string[]>,
  policy: AddressPolicy,
  signal: AbortSignal,
): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await untilAborted(resolve(host), signal);
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ProbeError(`cannot resolve ${host}: ${(e as Error).message}`, "network");
  }
  if (!addresses.length) throw new ProbeError(`cannot resolve ${host}: no addresses`, "network");
  const bad = policy.allowPrivateNetwork ? undefined : addresses.find(isPrivateAddress);
  if (bad)
    throw new ProbeError(
      `refused to contact ${host}: it resolves to private address ${bad} (set allowPrivateNetwork to allow)`,
      "refused",
    );
  return addresses;
}

/**
 * A transport over a fetch function (browsers, edge runtimes, or a caller's own fetch). Not pinned:
 * the resolver's answer (when there is one) is checked, but fetch resolves the name again.
 */
export function fetchTransport(fetchFn: typeof fetch, policy: AddressPolicy, signal: AbortSignal): Transport {
  const open = new Set<HttpAnswer>();
  const check = async (url: URL) => {
    checkHostLiteral(url, policy);
    if (policy.allowPrivateNetwork || isIpLiteral(url.hostname)) return;
    if (isLocalhostName(url.hostname))
      throw new ProbeError(`refused to contact ${url.hostname} (set allowPrivateNetwork to allow)`, "refused");
    if (policy.resolveHost) await vetHost(url.hostname, policy.resolveHost, policy, signal);
  };
  return {
    pinned: false,
    async get(url, headers) {
      await check(url);
      const local = new AbortController();
      const init = { headers, signal: AbortSignal.any([signal, local.signal]) };
      let res = await fetchFn(url, { ...init, redirect: "manual" });
      let finalUrl: string | undefined;
      if (res.type === "opaqueredirect") {
        // Browsers hide redirects from scripts: let the browser follow them, then check where it ended.
        res = await fetchFn(url, { ...init, redirect: "follow" });
        finalUrl = res.url || undefined;
        if (finalUrl) await check(new URL(finalUrl)).catch((e) => (local.abort(), Promise.reject(e)));
      }
      const body = res.body?.getReader();
      let done = !body;
      const answer: HttpAnswer = {
        status: res.status,
        header: (name) => res.headers.get(name),
        finalUrl,
        async read() {
          if (done) return null;
          const r = await body!.read();
          if (r.done) {
            done = true;
            open.delete(answer);
            return null;
          }
          return r.value;
        },
        close() {
          if (!done) {
            done = true;
            body?.cancel().catch(() => {});
            local.abort();
          }
          open.delete(answer);
        },
      };
      open.add(answer);
      return answer;
    },
    close() {
      for (const a of [...open]) a.close();
    },
  };
}

export interface RedirectOptions {
  maxRedirects: number;
  /** Allow plain http after a redirect from https. */
  allowHttp: boolean;
}

/** GET `url`, following redirects (each one checked like the first request); the answer and the URL that gave it. */
export async function getFollowing(
  transport: Transport,
  start: URL,
  headers: Record<string, string>,
  options: RedirectOptions,
): Promise<{ answer: HttpAnswer; url: URL }> {
  let url = start;
  for (let hops = 0; ; hops++) {
    checkScheme(url);
    const answer = await transport.get(url, headers);
    const location = answer.status >= 300 && answer.status < 400 ? answer.header("location") : null;
    if (!location) {
      const final = answer.finalUrl ? new URL(answer.finalUrl) : url;
      if (final !== url) checkDowngrade(start, final, options);
      return { answer, url: final };
    }
    answer.close();
    if (hops >= options.maxRedirects) throw new ProbeError(`more than ${options.maxRedirects} redirects`, "redirects");
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new ProbeError(
        `the server redirected to an invalid URL ${JSON.stringify(location.slice(0, 200))}`,
        "redirects",
      );
    }
    checkDowngrade(url, next, options);
    url = next;
  }
}

function checkScheme(url: URL): void {
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ProbeError(`only http(s) URLs can be fetched, not ${url.protocol}`, "refused");
}

function checkDowngrade(from: URL, to: URL, options: RedirectOptions): void {
  if (from.protocol === "https:" && to.protocol === "http:" && !options.allowHttp)
    throw new ProbeError(`refused a redirect from https to plain http (${to.host}); set allowHttp to allow`, "refused");
}

/** Parses `bytes a-b/total`. */
export function contentRange(header: string | null): { start: number; end: number; total?: number } | undefined {
  const m = header && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

/** A Content-Length made only of digits, else undefined. */
export function declaredLength(answer: HttpAnswer): number | undefined {
  const value = answer.header("content-length");
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}
