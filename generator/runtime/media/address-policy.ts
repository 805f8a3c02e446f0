/**
 * Which addresses a probe or download may contact. Refused: every IANA special-purpose block (IPv4 and
 * IPv6 registries), multicast, and IPv6 outside global unicast (2000::/3, which also rules out
 * fc00::/7, fe80::/10, fec0::/10, ::/96 and ff00::/8). IPv4 carried inside IPv6 (::ffff:0:0/96,
 * ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address it carries.
 * An address that does not parse is refused. Tested against ipaddr.js as an oracle.
 */

type Cidr4 = readonly [number, number, number, number, number];
/** IPv4 blocks refused: the special-purpose registry, multicast and 240/4 (reserved, broadcast). */
const REFUSED_V4: readonly Cidr4[] = [
  [0, 0, 0, 0, 8],
  [10, 0, 0, 0, 8],
  [100, 64, 0, 0, 10],
  [127, 0, 0, 0, 8],
  [169, 254, 0, 0, 16],
  [172, 16, 0, 0, 12],
  [192, 0, 0, 0, 24],
  [192, 0, 2, 0, 24],
  [192, 31, 196, 0, 24],
  [192, 52, 193, 0, 24],
  [192, 88, 99, 0, 24],
  [192, 168, 0, 0, 16],
  [192, 175, 48, 0, 24],
  [198, 18, 0, 0, 15],
  [198, 51, 100, 0, 24],
  [203, 0, 113, 0, 24],
  [224, 0, 0, 0, 4],
  [240, 0, 0, 0, 4],
];

/** IPv6 blocks inside 2000::/3 that are special-purpose (IETF assignments incl. Teredo, documentation, AS112). */
const REFUSED_V6: readonly (readonly [number[], number])[] = [
  [[0x2001, 0], 23],
  [[0x2001, 0xdb8], 32],
  [[0x2620, 0x4f, 0x8000], 48],
  [[0x3fff], 20],
];

const toU32 = (o: readonly number[]) => ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];

function inV4(octets: readonly number[], [a, b, c, d, bits]: Cidr4): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toU32(octets) & mask) >>> 0 === (toU32([a, b, c, d]) & mask) >>> 0;
}

function inV6(groups: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((groups[i] & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Four octets of a dotted-decimal IPv4 address (no octal, hex or short forms), or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o, i) => o <= 255 && (m[i + 1] === "0" || !m[i + 1].startsWith("0"))) ? octets : undefined;
}

/** Eight 16-bit groups of an IPv6 address (`::` compression, a dotted IPv4 tail, a `%zone` suffix), or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.replace(/%[^%]*$/, "");
  const groups: number[] = [];
  const tail = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  let tailGroups: number[] = [];
  if (tail) {
    const v4 = parseIpv4(tail[1]);
    if (!v4) return undefined;
    tailGroups = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, s.length - tail[1].length);
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return undefined;
  const written = head.length + rest.length + tailGroups.length;
  if (halves.length === 2) {
    if (written > 7) return undefined;
    groups.push(...head, ...new Array<number>(8 - written).fill(0), ...rest, ...tailGroups);
  } else {
    if (written !== 8) return undefined;
    groups.push(...head, ...tailGroups);
  }
  return groups;
}

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, "$1");

export function isIpLiteral(host: string): boolean {
  const h = stripBrackets(host);
  return parseIpv4(h) !== undefined || h.includes(":");
}

function refusedV4(octets: readonly number[]): boolean {
  return REFUSED_V4.some((cidr) => inV4(octets, cidr));
}

/** The IPv4 address an IPv6 address carries by one of the embedding schemes, if any. */
function embeddedV4(g: readonly number[]): number[] | undefined {
  const low = () => [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255];
  if (inV6(g, [0, 0, 0, 0, 0, 0xffff], 96)) return low(); // IPv4-mapped
  if (inV6(g, [0, 0, 0, 0, 0xffff, 0], 96)) return low(); // IPv4-translated (SIIT)
  if (inV6(g, [0x64, 0xff9b, 0, 0, 0, 0], 96)) return low(); // NAT64 well-known prefix
  if (inV6(g, [0x2002], 16)) return [g[1] >> 8, g[1] & 255, g[2] >> 8, g[2] & 255]; // 6to4
  return undefined;
}

/** True when the address may not be contacted: special-purpose, private, loopback, link-local, multicast, or unparsable. */
export function isPrivateAddress(address: string): boolean {
  const ip = stripBrackets(address.trim());
  const v4 = parseIpv4(ip);
  if (v4) return refusedV4(v4);
  const v6 = parseIpv6(ip);
  if (!v6) return true;
  const carried = embeddedV4(v6);
  if (carried) return refusedV4(carried);
  if (!inV6(v6, [0x2000], 3)) return true;
  return REFUSED_V6.some(([prefix, bits]) => inV6(v6, prefix, bits));
}

/** Host names that always mean this machine (RFC 6761), refused where no resolver can check them. */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}
