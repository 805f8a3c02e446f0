/**
 * The address policy against ipaddr.js as an oracle, over generated addresses in every spelling:
 * IPv4, IPv6 compressed or not, upper case, dotted IPv4 tails, zone ids, and IPv4 embedded in IPv6.
 */
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { isPrivateAddress, parseIpv6 } from "../../generator/runtime/media/address-policy.js";

const RUNS = Number(process.env.FC_RUNS ?? 20_000);

/** What the oracle says: refuse every special range ipaddr.js knows; judge embedded IPv4 by itself; IPv6 only inside 2000::/3 (IANA's global unicast). */
function oracle(text: string): boolean {
  const addr = ipaddr.parse(text.replace(/%.*$/, ""));
  if (addr.kind() === "ipv4") return (addr as ipaddr.IPv4).range() !== "unicast";
  const v6 = addr as ipaddr.IPv6;
  const embedded = ["::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96"].some((c) =>
    v6.match(ipaddr.parseCIDR(c) as [ipaddr.IPv6, number]),
  );
  if (embedded) return oracle(ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString());
  if (v6.match(ipaddr.parseCIDR("2002::/16") as [ipaddr.IPv6, number]))
    return oracle(ipaddr.fromByteArray(v6.toByteArray().slice(2, 6)).toString());
  if (!v6.match(ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number])) return true;
  return v6.range() !== "unicast";
}

const octet = fc.integer({ min: 0, max: 255 });
const group = fc.integer({ min: 0, max: 0xffff });
/** IPv4 addresses, half of them near the special ranges' edges. */
const SPECIAL_V4 = [0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255];
const v4 = fc.oneof(
  fc.tuple(octet, octet, octet, octet),
  fc.tuple(fc.constantFrom(...SPECIAL_V4), octet, octet, octet),
  fc.tuple(fc.constant(192), fc.constantFrom(0, 31, 52, 88, 168, 175), octet, octet),
  fc.tuple(fc.constant(100), fc.integer({ min: 60, max: 130 }), octet, octet),
  fc.tuple(fc.constant(172), fc.integer({ min: 12, max: 35 }), octet, octet),
);
const v4Text = v4.map((o) => o.join("."));
/** IPv6 prefixes of every special range (and public ones), with random rest. */
const PREFIXES: number[][] = [
  [],
  [0, 0, 0, 0, 0, 0xffff],
  [0, 0, 0, 0, 0xffff, 0],
  [0x64, 0xff9b, 0, 0, 0, 0],
  [0x64, 0xff9b, 1],
  [0x2002],
  [0x2001, 0],
  [0x2001, 0xdb8],
  [0x2001, 2, 0],
  [0x2001, 4, 0x112],
  [0x2620, 0x4f, 0x8000],
  [0x3fff],
  [0x100, 0, 0, 0],
  [0x5f00],
  [0xfc00],
  [0xfd12],
  [0xfe80],
  [0xfebf],
  [0xfec0],
  [0xff02],
  [0x2606, 0x4700],
  [0x2a00],
  [0],
  [0, 0, 0, 0, 0, 0, 0],
];
const v6 = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 15 }))
  .map(([prefix, rest, fuzz]) => {
    const groups = [...prefix, ...rest].slice(0, 8);
    // Nudge the group after the prefix now and then, to land on range edges.
    if (prefix.length < 8 && fuzz < 4) groups[prefix.length] = [0, 1, 0xffff, 0x8000][fuzz];
    return groups;
  });
/** Spellings of one IPv6 address: full, compressed (ipaddr.js), upper case, dotted IPv4 tail, zone id. */
const spelled = fc.tuple(v6, fc.integer({ min: 0, max: 4 })).map(([groups, how]) => {
  const addr = new ipaddr.IPv6(groups);
  switch (how) {
    case 0:
      return addr.toNormalizedString();
    case 1:
      return addr.toString();
    case 2:
      return addr.toString().toUpperCase();
    case 3: {
      const head = groups
        .slice(0, 6)
        .map((g) => g.toString(16))
        .join(":");
      return `${head}:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
    }
    default:
      return `${addr.toString()}%eth0`;
  }
});

describe("address policy (oracle: ipaddr.js)", () => {
  it("agrees on IPv4", () => {
    fc.assert(
      fc.property(v4Text, (a) => {
        expect(isPrivateAddress(a), a).toBe(oracle(a));
      }),
      { numRuns: RUNS },
    );
  });

  it("agrees on IPv6 in every spelling, IPv4 embedded in IPv6 included", () => {
    fc.assert(
      fc.property(spelled, (a) => {
        expect(isPrivateAddress(a), a).toBe(oracle(a));
      }),
      { numRuns: RUNS },
    );
  });

  it("agrees on IPv4 carried in IPv6 by every embedding scheme", () => {
    const embeddings = (o: number[]) => {
      const hi = ((o[0] << 8) | o[1]).toString(16);
      const lo = ((o[2] << 8) | o[3]).toString(16);
      return [
        `::ffff:${o.join(".")}`,
        `::ffff:${hi}:${lo}`,
        `::ffff:0:${hi}:${lo}`,
        `64:ff9b::${o.join(".")}`,
        `64:ff9b::${hi}:${lo}`,
        `2002:${hi}:${lo}::1`,
      ];
    };
    fc.assert(
      fc.property(v4, (o) => {
        for (const a of embeddings(o)) expect(isPrivateAddress(a), a).toBe(oracle(a));
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it("refuses deprecated IPv4-compatible addresses (::a.b.c.d) whatever they carry", () => {
    // ipaddr.js reads `::a.b.c.d` as IPv4-mapped, so it cannot be the oracle here: RFC 4291 §2.5.5.1 deprecates the form.
    fc.assert(
      fc.property(v4Text, (a) => isPrivateAddress(`::${a}`)),
      { numRuns: RUNS / 4 },
    );
  });

  it("parses what ipaddr.js parses, to the same groups", () => {
    fc.assert(
      fc.property(spelled, (a) => {
        expect(parseIpv6(a)).toEqual(ipaddr.IPv6.parse(a.replace(/%.*$/, "")).parts);
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it("refuses the spellings attackers use, and what does not parse", () => {
    for (const a of [
      "::127.0.0.1",
      "::ffff:0:7f00:1",
      "::ffff:127.0.0.1",
      "64:ff9b::7f00:1",
      "64:ff9b::10.0.0.1",
      "2002:a00:1::",
      "2002:7f00:1::1",
      "fec0::1",
      "fe80::1%eth0",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "::",
      "100::1",
      "2001:db8::1",
      "3fff::1",
      "5f00::1",
      "64:ff9b:1::8.8.8.8",
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ["1.2.3", "01.2.3.4", "1::2::3", "12345::", "example.com", "", "1.2.3.4.5", "::ffff:1.2.3.256"])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of [
      "93.184.216.34",
      "8.8.8.8",
      "2606:4700::1111",
      "172.32.0.1",
      "::ffff:8.8.8.8",
      "64:ff9b::8.8.8.8",
      "2002:808:808::1",
      "[2a00:1450:4001:80b::200e]",
    ])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});
