/**
 * `npm run bench:redos`: the ReDoS checkers that could serve lint, on one corpus of patterns whose
 * worst case is known — accuracy (exponential / polynomial / safe), time per pattern, install size.
 * The truth of each pattern is measured here too, not only taken from the literature: its attack
 * string (a repeated character, or pair) is timed in V8 at two lengths, as ajv's validators run it
 * (`u` flag, unanchored search). The README's choice of checker comes from this table.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGE_ROOT } from "../generator/shared/paths.js";

type Verdict = "exponential" | "polynomial" | "safe" | "unknown";

/** [pattern, what the literature says, an attack: prefix, pumped part, suffix]. */
const CORPUS: [string, Exclude<Verdict, "unknown">, [string, string, string]][] = [
  ["^(a+)+$", "exponential", ["", "a", "!"]],
  ["^(a|a)*$", "exponential", ["", "a", "!"]],
  ["^(a|aa)+$", "exponential", ["", "a", "!"]],
  ["^(a*)*b$", "exponential", ["", "a", "!"]],
  ["^(\\w+\\s?)*$", "exponential", ["", "a", "!"]],
  ["^([a-z]+)*[0-9]$", "exponential", ["", "a", "!"]],
  ["(x+x+)+y", "exponential", ["", "x", "!"]],
  ["^(([a-z])+.)+[A-Z]([a-z])+$", "exponential", ["", "a", "!"]],
  ["^(\\d+|\\d+\\.\\d+)*$", "exponential", ["", "1", "!"]],
  ["^(a|b|ab)*c$", "exponential", ["", "ab", "!"]],
  [
    "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
    "exponential",
    ["a", "a", "!"],
  ],
  ["f.*o", "polynomial", ["", "f", ""]],
  ["^.*a.*b$", "polynomial", ["", "a", "!"]],
  ["a.*b.*c", "polynomial", ["", "ab", ""]],
  ["\\s*#?\\s*$", "polynomial", ["", " ", "!"]],
  ["\\s+$", "polynomial", ["", " ", "!"]],
  ["\\d+\\d+$", "polynomial", ["", "1", "!"]],
  ["^[a-z]+[a-z0-9]*\\d$", "polynomial", ["", "a", "!"]],
  ["(\\w+)-\\1x", "polynomial", ["", "a", "!"]],
  ["^[a-z]+$", "safe", ["", "a", "!"]],
  ["^\\d{4}-\\d{2}-\\d{2}$", "safe", ["", "1", "!"]],
  ["^https?://[^\\s/$.?#].[^\\s]*$", "safe", ["http://a", "a", " "]],
  ["^[0-9a-f]{8}-[0-9a-f]{4}$", "safe", ["", "a", "!"]],
  ["^(?:[a-z0-9]+-)*[a-z0-9]+$", "safe", ["", "a", "!"]],
  ["^\\w+$", "safe", ["", "a", "!"]],
  ["^[^@\\s]+@[^@\\s]+$", "safe", ["", "a", "!"]],
  ["^(en|fr|de)$", "safe", ["", "e", "!"]],
  ["^[A-Z][a-z]*( [A-Z][a-z]*)*$", "safe", ["A", "a", "!"]],
  ["^\\d+(\\.\\d+)?$", "safe", ["", "1", "!"]],
  ["^#[0-9a-fA-F]{6}$", "safe", ["#", "a", "!"]],
  ["^[a-z]{2}_[A-Z]{2}$", "safe", ["", "a", "!"]],
  ["^(\\d{1,3}\\.){3}\\d{1,3}$", "safe", ["", "1", "!"]],
  ["^[\\p{L}\\p{N} ]{1,100}$", "safe", ["", "a", "!"]],
];

/** V8's time on the attack pumped n times, ms (best of 5, so a loaded machine does not fake growth). */
function attackMs(pattern: string, [x, y, z]: [string, string, string], n: number): number {
  const re = new RegExp(pattern, "u");
  const input = x + y.repeat(n) + z;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    re.test(input);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * The measured class, growing the attack step by step so no step can run away: exponential when two
 * more pumps double the time once it is measurable; else polynomial when twice the pumps take over
 * three times as long; else safe.
 */
function measured(pattern: string, attack: [string, string, string]): Exclude<Verdict, "unknown"> {
  for (let n = 8; n <= 40; n += 2) {
    const t = attackMs(pattern, attack, n);
    if (t < 2) continue;
    if (attackMs(pattern, attack, n + 2) / t > 2) return "exponential";
    break;
  }
  for (let n = 64; n <= 1 << 24; n *= 2) {
    const t = attackMs(pattern, attack, n);
    if (t < 20) continue;
    return attackMs(pattern, attack, n * 2) / t > 3 ? "polynomial" : "safe";
  }
  return "safe";
}

const require = createRequire(import.meta.url);

interface Checker {
  name: string;
  packages: string[];
  check: (pattern: string) => Verdict;
}

const checkers: Checker[] = [
  {
    name: "recheck",
    packages: ["recheck", "recheck-jar", "recheck-linux-x64"],
    check: (p) => {
      const v = (require("recheck") as typeof import("recheck")).checkSync(p, "u", { timeout: 5000 });
      return v.status === "safe"
        ? "safe"
        : v.status === "unknown"
          ? "unknown"
          : v.complexity.type === "exponential"
            ? "exponential"
            : "polynomial";
    },
  },
  {
    name: "scslre + regexpp",
    packages: ["scslre", "refa", "regexp-ast-analysis", "@eslint-community/regexpp"],
    check: (p) => {
      const { RegExpParser } = require("@eslint-community/regexpp") as typeof import("@eslint-community/regexpp");
      const { analyse } = require("scslre") as typeof import("scslre");
      try {
        const literal = new RegExpParser().parseLiteral(`/${p.replace(/\//g, "\\/")}/u`);
        const { reports } = analyse(literal);
        if (!reports.length) return "safe";
        return reports.some((r) => r.exponential) ? "exponential" : "polynomial";
      } catch {
        return "unknown";
      }
    },
  },
  {
    name: "redos-detector",
    packages: ["redos-detector", "regjsparser"],
    check: (p) => {
      const { isSafePattern } = require("redos-detector") as typeof import("redos-detector");
      try {
        const r = isSafePattern(p, { unicode: true, timeout: 5000 });
        if (r.safe) return "safe";
        if (r.error === "timedOut" || r.error === "hitMaxSteps") return "unknown";
        // Its score says how many ways a prefix can match and names no growth class: an infinite score is read as exponential.
        return r.score.infinite ? "exponential" : "polynomial";
      } catch {
        return "unknown";
      }
    },
  },
];

const du = (pkgs: string[]) =>
  pkgs
    .map((p) => path.join(PACKAGE_ROOT, "node_modules", p))
    .map((dir) => {
      try {
        return Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]) * 1024;
      } catch {
        return 0;
      }
    })
    .reduce((a, b) => a + b, 0);

const truths = CORPUS.map(([pattern, said, attack]) => {
  if (process.env.DEBUG) console.error(pattern);
  return { pattern, said, measured: measured(pattern, attack) };
});
const disagree = truths.filter((t) => t.said !== t.measured);
console.log(`corpus: ${CORPUS.length} patterns; measured class differs from the literature's for ${disagree.length}:`);
for (const t of disagree) console.log(`  /${t.pattern}/ said ${t.said}, measured ${t.measured}`);
const truthOf = (p: string) => truths.find((t) => t.pattern === p)!.measured;

console.log(
  "\n| checker | exact class | super-linear found (of %d) | false alarms (of %d) | undecided | ms per pattern (first / warm median) | install |",
  truths.filter((t) => t.measured !== "safe").length,
  truths.filter((t) => t.measured === "safe").length,
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const c of checkers) {
  let exact = 0,
    found = 0,
    falseAlarms = 0,
    undecided = 0;
  const misses: string[] = [];
  const t0 = performance.now();
  c.check(CORPUS[0][0]);
  const first = performance.now() - t0;
  const times: number[] = [];
  for (const [pattern] of CORPUS) {
    const t = performance.now();
    const v = c.check(pattern);
    times.push(performance.now() - t);
    const truth = truthOf(pattern);
    if (v === truth) exact++;
    else misses.push(`/${pattern}/ ${v} (is ${truth})`);
    if (v === "unknown") undecided++;
    if (truth !== "safe" && (v === "exponential" || v === "polynomial")) found++;
    if (truth === "safe" && (v === "exponential" || v === "polynomial")) falseAlarms++;
  }
  times.sort((a, b) => a - b);
  console.log(
    `| ${c.name} | ${exact}/${CORPUS.length} | ${found} | ${falseAlarms} | ${undecided} | ${first.toFixed(0)} / ${times[times.length >> 1].toFixed(2)} | ${(du(c.packages) / 1048576).toFixed(1)} MB |`,
  );
  for (const m of misses) console.log(`    ${c.name} misses ${m}`);
}
