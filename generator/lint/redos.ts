/**
 * The ReDoS check of stage 3: a `pattern` (or a `patternProperties` key) whose matching time can grow
 * super-linearly with the input lets one request stall a validator. recheck (makenowjust-labs) decides
 * it from the regex's automaton (and fuzzing where that is not enough); see the README for why this
 * checker. A schema author who accepts the risk writes `"x-redos-accepted": true` beside the pattern.
 */
import { createRequire } from "node:module";
import type { Diagnostics } from "recheck";
import { joinPointer } from "../runtime/json-pointer.js";
import type { NoteCode } from "../shared/notes.js";
import type { SchemaNode } from "../ir/schema-node.js";
import { forEachSubschema } from "../ir/schema-node.js";

/** The annotation that accepts a super-linear pattern in the node that holds it. */
export const REDOS_ACCEPTED = "x-redos-accepted";

/** How long the checker may think about one pattern before saying it cannot decide. */
const CHECK_TIMEOUT_MS = 5000;

type Add = (pointer: string, code: NoteCode, message: string) => void;

const verdicts = new Map<string, Diagnostics>();

/** recheck, loaded on the first pattern: most catalogs have none, and loading it is a large part of start-up. */
let recheck: typeof import("recheck") | undefined;
const loadRecheck = () => (recheck ??= createRequire(import.meta.url)("recheck") as typeof import("recheck"));

/** recheck's verdict on a pattern as the validators compile it (ajv: the `u` flag); cached per process. */
export function redosVerdict(pattern: string): Diagnostics {
  let verdict = verdicts.get(pattern);
  if (!verdict) {
    verdict = loadRecheck().checkSync(pattern, "u", { timeout: CHECK_TIMEOUT_MS });
    verdicts.set(pattern, verdict);
  }
  return verdict;
}

const shorten = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Checks every pattern of a normalized schema; `raw` is the same schema as written, for the annotation. */
export function checkPatterns(node: SchemaNode, pointer: string, raw: unknown, add: Add): void {
  const accepted = isRecord(raw) && raw[REDOS_ACCEPTED] === true;
  const check = (pattern: string, at: string) => {
    const verdict = redosVerdict(pattern);
    if (verdict.status === "safe") return;
    if (verdict.status === "unknown") {
      add(
        at,
        "redos-unknown",
        `the ReDoS checker could not decide whether /${shorten(pattern)}/ is safe (${verdict.error.kind}); simplify it, or review it by hand`,
      );
      return;
    }
    const growth =
      verdict.complexity.type === "exponential"
        ? "exponentially"
        : `polynomially (degree ${verdict.complexity.degree})`;
    if (accepted)
      add(
        at,
        "redos-accepted",
        `matching /${shorten(pattern)}/ can take time growing ${growth} with the input; accepted by "${REDOS_ACCEPTED}"`,
      );
    else {
      // Exponential growth stalls a validator on a short input: an error. Polynomial needs long inputs
      // (which maxLength and RunComfy's body cap bound): a warning, unless the config's rules raise it.
      add(
        at,
        verdict.complexity.type === "exponential" ? "redos-pattern" : "redos-polynomial",
        `matching /${shorten(pattern)}/ can take time growing ${growth} with the input (e.g. ${shorten(verdict.attack.pattern)}); rewrite it without nested or overlapping repetition, or add "${REDOS_ACCEPTED}": true beside it to accept the risk`,
      );
    }
  };
  if (typeof node.pattern === "string") check(node.pattern, joinPointer(pointer, "pattern"));
  for (const key of Object.keys(node.patternProperties ?? {}))
    check(key, joinPointer(pointer, "patternProperties", key));
  forEachSubschema(node, (child, keyword, key) => {
    const childRaw = isRecord(raw)
      ? key === undefined
        ? raw[keyword]
        : isRecord(raw[keyword]) || Array.isArray(raw[keyword])
          ? (raw[keyword] as Record<string, unknown>)[key]
          : undefined
      : undefined;
    checkPatterns(
      child,
      key === undefined ? joinPointer(pointer, keyword) : joinPointer(pointer, keyword, key),
      childRaw,
      add,
    );
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
