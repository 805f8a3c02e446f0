/**
 * The tests' network: a socket may connect to loopback only. A socket aimed at any other address
 * fails before it connects (whether the address came as a literal or from a lookup). `route` makes a
 * pretend public address lead to 127.0.0.1, so a probe can meet "a public host" that is a local
 * server, while the code under test still sees and checks the public address.
 * Installed for every test file (vitest setupFiles); state lives on globalThis so every importer shares it.
 */
import dns from "node:dns";
import net from "node:net";

interface GuardState {
  routes: Map<string, string>;
  blocked: string[];
}

const KEY = Symbol.for("runcomfy-codegen.test.net-guard");
type LookupCallback = (
  error: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;
type Lookup = (host: string, options: object, callback: LookupCallback) => void;

const isLoopback = (address: string) => /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);

function state(): GuardState {
  const g = globalThis as { [KEY]?: GuardState };
  return (g[KEY] ??= { routes: new Map(), blocked: [] });
}

/** Where a socket may go: the loopback address itself, a routed address's target, or an error. */
function admit(address: string): string | Error {
  const routed = state().routes.get(address);
  if (routed) return routed;
  if (isLoopback(address)) return address;
  state().blocked.push(address);
  return Object.assign(new Error(`test network: connection to ${address} blocked (tests reach loopback only)`), {
    code: "ECONNREFUSED",
  });
}

export function installNetGuard(): void {
  const proto = net.Socket.prototype as net.Socket & { [KEY]?: true };
  if (proto[KEY]) return;
  proto[KEY] = true;
  const original = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0][0] as Record<string, unknown>) : args[0];
    if (typeof first === "number" || typeof first === "string") {
      // connect(port, host?) or connect(path): normalise to an options object so the checks below apply.
      if (typeof first === "string" && !/^\d+$/.test(first)) return original.apply(this, args as never); // a Unix socket path
      return (this as net.Socket).connect(
        { port: Number(first), host: typeof args[1] === "string" ? args[1] : "localhost" },
        ...(args.slice(typeof args[1] === "string" ? 2 : 1) as [() => void]),
      );
    }
    const options = first as { host?: string; path?: string | null; lookup?: Lookup };
    if (options && typeof options === "object" && !options.path) {
      const host = options.host ?? "localhost";
      if (net.isIP(host)) {
        const target = admit(host);
        if (target instanceof Error) {
          process.nextTick(() => this.destroy(target));
          return this;
        }
        options.host = target;
      } else {
        const inner: Lookup = options.lookup ?? (dns.lookup as unknown as Lookup);
        options.lookup = (name, opts, callback) =>
          inner(name, opts, (error, address, family) => {
            if (error) return callback(error, address, family);
            const list = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
            const admitted = list.map((a) => admit(a.address));
            const refused = admitted.find((a): a is Error => a instanceof Error);
            if (refused) return callback(refused, "");
            const mapped = (admitted as string[]).map((address) => ({ address, family: net.isIP(address) }));
            if (Array.isArray(address)) callback(null, mapped);
            else callback(null, mapped[0].address, mapped[0].family);
          });
      }
    }
    return original.apply(this, args as never);
  } as typeof proto.connect;
}

/** Makes `publicAddress` lead to 127.0.0.1 (same port) until `unroute`. */
export function route(publicAddress: string): () => void {
  state().routes.set(publicAddress, "127.0.0.1");
  return () => void state().routes.delete(publicAddress);
}

/** Addresses the guard stopped since the last call. */
export function takeBlocked(): string[] {
  return state().blocked.splice(0);
}
