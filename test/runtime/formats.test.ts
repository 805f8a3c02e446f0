/**
 * The runtime's standard format checks (runtime/formats.ts, shipped without dependencies) against
 * ajv-formats' "full" checks as the oracle: the JSON Schema Test Suite's format cases, then random
 * strings shaped like each format. Media formats are the product's own (test/runtime/validate.test.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { describe, expect, it } from "vitest";
import { formats } from "../../generator/runtime/validation/formats.js";
import { MEDIA_FORMATS, STANDARD_FORMATS } from "../../generator/normalize/normalize.js";
import { ROOT } from "../helpers.js";

type Check = (value: never) => boolean;
/** ajv-formats' definition of a format as one function (a RegExp, a function, `{validate}` or `true`). */
function oracle(name: string): Check {
  const def = (fullFormats as Record<string, unknown>)[name];
  if (def === true) return () => true;
  if (def instanceof RegExp) return (v: string) => def.test(v);
  if (typeof def === "function") return def as Check;
  const validate = (def as { validate: RegExp | Check }).validate;
  return validate instanceof RegExp ? (v: string) => validate.test(v) : validate;
}
const ours = (name: string): Check => {
  const f = formats[name];
  return typeof f === "function" ? f : f.validate;
};

const SUITE = path.join(ROOT, "test/fixtures/json-schema-test-suite/draft2020-12/optional/format");
const suiteStrings = readdirSync(SUITE).flatMap((file) =>
  (JSON.parse(readFileSync(path.join(SUITE, file), "utf8")) as { tests: { data: unknown }[] }[])
    .flatMap((g) => g.tests.map((t) => t.data))
    .filter((d): d is string => typeof d === "string"),
);

/** Strings shaped like each format, with near misses. */
const shaped = fc.oneof(
  fc.string(),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.emailAddress(),
  fc.uuid(),
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`),
  fc
    .tuple(
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom("Z", "z", "+01:00", "-23:59", "+24:00", "", ".5Z"),
    )
    .map(
      ([h, m, s, tz]) =>
        `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}${tz}`,
    ),
  fc.constantFrom("P1D", "PT1H", "P1W", "P", "/a~0b/~1", "0/a", "1#", "aGVsbG8=", "{+x}", "^a\\Z"),
);

describe("standard formats agree with ajv-formats", () => {
  it("ships every string and number format ajv-formats' full mode knows but url (read as uri)", () => {
    expect([...STANDARD_FORMATS, "url"].sort()).toEqual(Object.keys(fullFormats).sort());
    for (const name of Object.keys(MEDIA_FORMATS)) expect(STANDARD_FORMATS).not.toContain(name);
  });

  it.each(STANDARD_FORMATS.filter((n) => typeof formats[n] === "function"))("%s", (name) => {
    const [mine, theirs] = [ours(name), oracle(name)];
    for (const value of suiteStrings) expect(mine(value as never), JSON.stringify(value)).toBe(theirs(value as never));
    fc.assert(
      fc.property(shaped, (value) => mine(value as never) === theirs(value as never)),
      { numRuns: 300, seed: 7 },
    );
  });

  it.each(STANDARD_FORMATS.filter((n) => typeof formats[n] === "object"))("%s (numbers)", (name) => {
    const [mine, theirs] = [ours(name), oracle(name)];
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0.5)),
        (value) => mine(value as never) === theirs(value as never),
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
