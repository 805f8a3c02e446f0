/**
 * The pinned transport under Node: node:http/https with a `lookup` function that resolves the host,
 * refuses it when any address is special-purpose, and hands only the checked addresses to the socket
 * (so a name that answers differently the second time — DNS rebinding — never reaches a private
 * address). TLS still sends SNI and verifies the certificate for the host name. Connections are kept
 * alive within one transport (one probe's range requests share a connection) and closed with it; no
 * connection outlives the policy it was checked under. A request never queues behind a connection
 * still busy with an answer: it takes a free kept-alive connection or opens another (a queue of one
 * socket waited, behind an answer left unread, until the server closed the idle connection: 5 s
 * for Node's servers, 65 s for nginx's default and CDNs).
 * Node's modules are loaded on first use through variable specifiers, so the package root stays
 * web-standard and bundlers leave them alone.
 */
import type { IncomingMessage } from "node:http";
import type { LookupAddress } from "node:dns";
import { ProbeError } from "./byte-reader.js";
import { checkHostLiteral, vetHost, type AddressPolicy, type HttpAnswer, type Transport } from "./media-fetch.js";

type NodeModules = {
  http: typeof import("node:http");
  https: typeof import("node:https");
  dns: typeof import("node:dns/promises");
};
let modules: Promise<NodeModules> | undefined;
function nodeModules(): Promise<NodeModules> {
  const specifiers = ["node:http", "node:https", "node:dns/promises"];
  modules ??= Promise.all(specifiers.map((s) => import(/* @vite-ignore */ s))).then(
    ([http, https, dns]) => ({ http, https, dns }) as NodeModules,
  );
  return modules;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

const familyOf = (address: string) => (address.includes(":") ? 6 : 4);

/** A Node transport whose every connection goes to an address the policy checked, within `signal`. */
export async function nodeTransport(
  policy: AddressPolicy,
  signal: AbortSignal,
  userAgent = "runcomfy-models",
): Promise<Transport> {
  const { http, https, dns } = await nodeModules();
  const resolve =
    policy.resolveHost ??
    (async (host: string) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address));
  let refusal: ProbeError | undefined;
  const lookup = (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback) => {
    vetHost(hostname, resolve, policy, signal).then(
      (addresses) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : Number(options.family) || 0;
        const usable = addresses.filter((a) => !family || familyOf(a) === family);
        if (!usable.length)
          return callback(
            Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: "ENOTFOUND" }),
            "",
          );
        if (options.all)
          callback(
            null,
            usable.map((address) => ({ address, family: familyOf(address) })),
          );
        else callback(null, usable[0], familyOf(usable[0]));
      },
      (error: Error) => {
        if (error instanceof ProbeError && error.code === "refused") refusal ??= error;
        callback(error, "");
      },
    );
  };
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };
  return {
    pinned: true,
    get(url, headers) {
      checkHostLiteral(url, policy);
      const client = url.protocol === "https:" ? https : http;
      const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
      return new Promise<HttpAnswer>((resolveAnswer, reject) => {
        const request = client.request(
          url,
          { agent, lookup, signal, headers: { "user-agent": userAgent, "accept-encoding": "identity", ...headers } },
          (res) => {
            const encoding = res.headers["content-encoding"];
            if (encoding && encoding.toLowerCase() !== "identity") {
              res.destroy();
              return reject(
                new ProbeError(`the server sent ${encoding}-encoded bytes although asked for identity`, "http"),
              );
            }
            resolveAnswer(answerOf(res));
          },
        );
        request.on("error", (e) => reject(refusal ?? e));
        request.end();
      });
    },
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

function answerOf(res: IncomingMessage): HttpAnswer {
  const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let done = false;
  return {
    status: res.statusCode ?? 0,
    header(name) {
      const value = res.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
    async read() {
      if (done) return null;
      const next = await chunks.next();
      if (next.done) done = true;
      return next.done ? null : next.value;
    },
    close() {
      if (done) return;
      done = true;
      res.destroy();
    },
  };
}
